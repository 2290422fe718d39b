// What the pledge form page (/{locale}/zaino-sospeso/dona) shows: the campaign, the answers and
// errors kept in the draft by the action campaign.pledge (./actions.ts), which of the page's views
// (the form, the wait after too many sends, the refusal of a bot), and the titles and summary.
import { HOLD_LIMITS } from '#/features/booking/hold-limits.ts';
import type { AstroGlobal } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { FORM_TIMESTAMP_FIELD, signFormTimestamp } from '#/server/security/anti-spam.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { actionUrl, refusedAsSpam } from '#/server/actions/form-page-state.ts';
import { newSubmissionKey } from '#/features/booking/booking-flow.ts';
import { noStore } from '#/server/http/no-store.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { getCampaign } from './campaigns.ts';
import { manageableItems, PLEDGE_FORM } from './actions.ts';
import { CAMPAIGN_SLUG, emptyPledgeForm, readPledgeForm, type PledgeFormErrors } from './pledge-form.ts';
import { pledgePath } from '#/lib/paths.ts';

type Astro = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect' | 'getActionResult'>;
type Action = Parameters<AstroGlobal['getActionResult']>[0];

/** The error summary's links, in field order, with the kept notice (too fast, expired, too many holds) last. */
export function formSummary(errors: PledgeFormErrors, notice: string | undefined, t: Translate) {
  const summary = [...errors].map(([id, e]) => ({
    href: `#${id === 'window' ? 'window-0' : id}`,
    text: t(e.key, e.values),
  }));
  if (notice)
    summary.push({
      href: '#submit',
      text:
        notice === 'too_many_holds'
          ? t('pledge.error.tooManyHolds', { count: HOLD_LIMITS.holdsPerClient() })
          : t(notice === 'tooFast' ? 'pledge.error.tooFast' : 'pledge.error.formExpired'),
    });
  return summary;
}

/** The pledge form page, or undefined when the campaign is not open (the page answers 404). */
export async function loadPledgeFormView(astro: Astro, locale: Locale, action: Action, t: Translate) {
  const db = await getDb();
  const campaign = await getCampaign(db, CAMPAIGN_SLUG);
  if (!campaign) return undefined;
  noStore(astro);
  const kept = await keptFormInput(astro, PLEDGE_FORM.flow, PLEDGE_FORM.scope);
  const values = kept
    ? readPledgeForm(
        kept.form,
        campaign.items.map((i) => i.slug),
      )
    : emptyPledgeForm();
  const errors: PledgeFormErrors = kept?.errors ?? new Map();
  const notice = ['tooFast', 'formExpired', 'too_many_holds'].includes(kept?.notice ?? '') ? kept?.notice : undefined;
  const retryAfterSeconds = kept?.retryAfterSeconds ?? 0;
  const view = refusedAsSpam(astro, action) ? 'refused' : retryAfterSeconds > 0 ? 'limited' : 'form';
  const keptClock = kept?.form.get(FORM_TIMESTAMP_FIELD);
  const summary = formSummary(errors, notice, t);
  const title = t('pledge.form.title');
  const titles = { limited: t('booking.limit.title'), refused: t('booking.refused.title'), form: title };
  return {
    campaign,
    campaignTitle: localize(campaign.title, locale),
    view,
    retryAfterSeconds,
    title,
    pageTitle: view === 'form' && summary.length > 0 ? t('booking.errorTitle', { title }) : titles[view],
    summary,
    form: {
      action: actionUrl(pledgePath(locale, 'dona'), action),
      formStartedAt:
        typeof keptClock === 'string' && keptClock ? keptClock : signFormTimestamp(await getServerSecret(db)),
      submissionKey: newSubmissionKey(),
      values,
      errors,
      // What one pledge may take of each item: what is still needed, within its share (PLEDGE_MAX_SHARE).
      items: manageableItems(campaign, undefined, locale),
    },
    anyNeeded: campaign.items.some((i) => i.remaining > 0),
    anyWindow: campaign.dropOffPoints.some((p) => p.windows.length > 0),
  };
}

export type PledgeFormView = NonNullable<Awaited<ReturnType<typeof loadPledgeFormView>>>;
