// What the manage page of a pledge (/{locale}/zaino-sospeso/gestisci?token=…) shows: the pledge
// behind the link, which view (not found, the wait after too many tries, the pledge with its forms,
// the cancel confirmation), the quantities typed and their errors kept in the draft by
// campaign.changePledge (./actions.ts), and its titles. Only an open pledge whose collection has
// not ended can be changed or cancelled.
import type { AstroGlobal } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { openTokenLink, refuseUnknownLink } from '#/server/security/secret-link.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { getCampaign } from './campaigns.ts';
import { findPledgeByToken } from './manage-pledge.ts';
import { loadPledgeView } from './pledge-view.ts';
import { manageableItems, manageForm } from './actions.ts';
import { signPledgeConfirmation } from './pledge-confirmation.ts';
import { CAMPAIGN_SLUG, readPledgeForm, type PledgeFormErrors } from './pledge-form.ts';
import { pledgeManagePath, pledgePath } from '#/lib/paths.ts';
import { manageWindowForm } from './window-actions.ts';
import { windowChoices } from './pledge-window-choice.ts';

type Astro = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect' | 'request' | 'url' | 'clientAddress'>;
export type ManageView = 'not-found' | 'limited' | 'pledge' | 'confirm-cancel';

export async function loadPledgeManageView(astro: Astro, locale: Locale, t: Translate) {
  const token = openTokenLink(astro);
  const db = await getDb();
  const managed = await findPledgeByToken(db, token);
  const pledge = managed && (await loadPledgeView(db, managed.id));
  const campaign = await getCampaign(db, CAMPAIGN_SLUG);
  const self = (query: Record<string, string> = {}) => pledgeManagePath(locale, token, query);
  const editable = Boolean(pledge && pledge.status === 'pledged' && pledge.window.endsAt > new Date());

  let view: ManageView = 'pledge';
  let retryAfterSeconds = 0;
  const slot = manageForm(astro.url);
  const kept = await keptFormInput(astro, slot.flow, slot.scope);
  const errors: PledgeFormErrors = (kept && editable && kept.errors) || new Map();
  const typed =
    kept && editable ? readPledgeForm(kept.form, campaign?.items.map((i) => i.slug) ?? []).quantities : undefined;
  if (!managed || !pledge || !campaign)
    ({ view, retryAfterSeconds } = await refuseUnknownLink(astro, db, 'pledge-manage'));
  else if (editable && astro.url.searchParams.get('azione') === 'annulla') view = 'confirm-cancel';
  else if (kept?.retryAfterSeconds)
    ({ view, retryAfterSeconds } = { view: 'limited', retryAfterSeconds: kept.retryAfterSeconds });

  const titles: Record<ManageView, string> = {
    'not-found': t('pledge.manage.notFound.title'),
    limited: t('booking.limit.title'),
    pledge: t('pledge.manage.title'),
    'confirm-cancel': t('pledge.manage.cancel.title'),
  };
  const summary = [...errors].map(([id, e]) => ({ href: `#${id}`, text: t(e.key, e.values) }));
  const current = Object.fromEntries((managed?.lines ?? []).map((l) => [l.item, String(l.quantity)]));
  return {
    view,
    retryAfterSeconds,
    pledge,
    editable,
    open: pledge?.status === 'pledged',
    done: astro.url.searchParams.get('esito'),
    self,
    title: summary.length > 0 ? t('booking.errorTitle', { title: titles[view] }) : titles[view],
    summary,
    errors,
    quantities: typed ?? current,
    // What this pledge may hold of each item: still needed plus its own, within one pledge's share.
    items: campaign ? manageableItems(campaign, managed, locale) : [],
    calendarHref: pledge
      ? pledgePath(locale, 'consegna.ics', { c: signPledgeConfirmation(await getServerSecret(db), pledge.id) })
      : '',
  };
}

/** The manage page's "choose another day": the windows offered, the pledge's own cancelled or not, the refusal kept. */
export async function windowChoiceView(astro: Astro, locale: Locale, currentWindowId: number) {
  const db = await getDb();
  const campaign = await getCampaign(db, CAMPAIGN_SLUG);
  if (!campaign) return undefined;
  const slot = manageWindowForm(astro.url);
  const kept = await keptFormInput(astro, slot.flow, slot.scope);
  const error = kept?.errors.get('window')?.key;
  return { ...(await windowChoices(db, campaign, currentWindowId, locale)), error };
}
