// The "zaino sospeso" forms as Astro Actions: the public pledge form, the manage page of the
// confirmation email (change, cancel), and the staff tools (mark a drop-off, items and targets).
// Each checks its input, who may do it, calls one function of this feature, invalidates the
// campaign's cached pages and says which page comes next (src/server/actions/run-form-action.ts).
import { z } from 'astro/zod';
import { staffPath, pledgeManagePath, pledgePath } from '#/lib/paths.ts';
import type { ActionAPIContext } from 'astro:actions';
import {
  defineFormAction,
  FormRefused,
  notFoundPage,
  refuseForbidden,
  seeOther,
} from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { screenPublicForm } from '#/server/actions/screen.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { can } from '#/features/staff-accounts/policy.ts';
import { readSubmissionKey } from '#/features/booking/booking-flow.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { getCampaign, type Campaign } from './campaigns.ts';
import { cancelPledge } from './close-pledge.ts';
import { changePledgeQuantities, findPledgeByToken, type ManagedPledge } from './manage-pledge.ts';
import { createPledge } from './create-pledge.ts';
import { loadPledgeView } from './pledge-view.ts';
import { pledgeCodeActions } from './pledge-code-actions.ts';
import { signPledgeConfirmation } from './pledge-confirmation.ts';
import { pledgeHoldOfBrowser, rememberPledgeHold } from './pledge-hold-cookie.ts';
import { pledgeHoldMinutes } from './pledge-holds.ts';
import {
  CAMPAIGN_SLUG,
  checkPledgeForm,
  checkQuantities,
  pledgeFormSchema,
  quantityField,
  readPledgeForm,
  type PledgeFormErrors,
} from './pledge-form.ts';
import { addCampaignItem, campaignEdit, updateTargets } from './campaign-items.ts';
import { markPledge } from './mark-pledge.ts';
import { windowActions } from './window-actions.ts';

/** The pledge form's draft (/{locale}/zaino-sospeso/dona). */
export const PLEDGE_FORM = { flow: 'pledge', scope: 'dona' } as const;
/** The manage page's draft, per link: the quantities typed, or the wait. */
export const manageForm = (url: URL) => ({ flow: 'pledge', scope: `pledge-manage:${linkToken(url)}` }) as const;
/** The staff items page's draft: its two forms tell themselves apart by the kept `intent`. */
export const ITEMS_FORM = { flow: 'staff', scope: 'articoli' } as const;
/** The staff drop-off page's draft, per window. */
export const dropOffForm = (url: URL) => ({ flow: 'staff', scope: `raccolta:${windowParam(url) ?? ''}` }) as const;
/** Kept notice: the pledge was marked meanwhile (by someone else, or in another tab). */
export const MARKED_MEANWHILE = 'marked';

/** Longer than any token we issue (secret-link.ts). */
const linkToken = (url: URL) => (url.searchParams.get('token') ?? '').slice(0, 200);
const windowParam = (url: URL) => {
  const v = url.searchParams.get('finestra');
  return v && /^[1-9][0-9]{0,8}$/.test(v) ? v : undefined;
};

/**
 * Each item with what may be chosen: still needed (plus what `pledge` already holds), and never
 * more than one pledge may take of it (a pledge already above that may keep what it has).
 */
export function manageableItems(campaign: Campaign, pledge: ManagedPledge | undefined, locale: Locale) {
  return campaign.items.map((i) => {
    const current = pledge?.lines.find((l) => l.item === i.slug)?.quantity ?? 0;
    const perPledge = Math.max(i.maxPerPledge, current);
    return {
      slug: i.slug,
      name: i.name,
      label: localize(i.name, locale),
      remaining: i.remaining,
      max: Math.min(i.remaining + current, perPledge),
      limitedByShare: perPledge < i.remaining + current,
    };
  });
}

/** "Someone else was quicker": the first line's item named, when the numbers alone show nothing. */
function changedMeanwhile(errors: PledgeFormErrors, campaign: Campaign, item: string, locale: Locale) {
  const first = campaign.items.find((i) => i.slug === item);
  errors.set(quantityField(item), {
    key: 'pledge.error.changedMeanwhile',
    values: { item: first ? localize(first.name, locale) : item },
  });
}

async function campaignOr404(): Promise<Campaign> {
  const campaign = await getCampaign(await getDb(), CAMPAIGN_SLUG);
  if (!campaign) throw notFoundPage();
  return campaign;
}

const invalidateCampaign = (context: ActionAPIContext) =>
  invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);

export const campaign = {
  ...pledgeCodeActions,
  ...windowActions,

  /**
   * A pledge from /{locale}/zaino-sospeso/dona: quantities (enforced by the database: two donors
   * never promise more than is needed), a collection window, a name and one contact; held until
   * the code sent to the contact confirms it, on the code step, addressed by a signed, expiring link.
   */
  pledge: defineFormAction({
    input: pledgeFormSchema,
    slot: PLEDGE_FORM,
    messages: 'pledge.error.',
    honeypot: true,
    handler: async (fields, context) => {
      const { locale } = context.locals;
      const db = await getDb();
      let current = await campaignOr404();
      const values = readPledgeForm(
        fields,
        current.items.map((i) => i.slug),
      );
      const windowIds = (c: Campaign) => c.dropOffPoints.flatMap((p) => p.windows.map((w) => w.id));
      const availability = (c: Campaign) => manageableItems(c, undefined, locale);
      const checked = checkPledgeForm(values, availability(current), windowIds(current), locale);
      if (!checked.valid) throw new FormRefused({ errors: checked.errors });
      const { lines, windowId, contact } = checked.valid;
      const secret = await getServerSecret(db);
      await screenPublicForm(context, db, {
        formStartedAt: fields.formStartedAt,
        secret,
        scope: 'pledge',
        contact: [contact.phone, contact.email],
      });
      // The booking flow's rule for a submission key (a double click pledges once).
      const submitted = new FormData();
      submitted.set('submissionKey', fields.submissionKey);
      const outcome = await createPledge(
        db,
        {
          campaignSlug: current.slug,
          lines,
          collectionWindowId: windowId,
          firstName: contact.name,
          email: contact.email,
          phone: contact.phone,
          locale,
          submissionKey: readSubmissionKey(submitted) ?? null,
        },
        new Date(),
        {
          hold: {
            client: limitKey('hold', clientIp(context), secret),
            replaces: pledgeHoldOfBrowser(context.cookies, secret),
          },
        },
      );
      if (outcome.ok) {
        if (outcome.hold) rememberPledgeHold(context.cookies, secret, outcome.pledge.id);
        await invalidateCampaign(context);
        // The code step; a pledge sent twice and confirmed meanwhile goes on from there to its confirmation.
        return { location: pledgePath(locale, 'codice', { c: signPledgeConfirmation(secret, outcome.pledge.id) }) };
      }
      if (outcome.reason === 'too_many_holds') throw new FormRefused({ notice: 'too_many_holds', status: 429 });
      // Someone else was quicker, or the window just ended: the form again, with today's numbers.
      current = (await getCampaign(db, CAMPAIGN_SLUG)) ?? current;
      if (outcome.reason === 'client_share') {
        // This connection's unconfirmed pledges hold the most one may of these items: said on each.
        const errors: PledgeFormErrors = new Map();
        for (const [slug, max] of Object.entries(outcome.maxPerClient)) {
          const item = current.items.find((i) => i.slug === slug);
          errors.set(quantityField(slug), {
            key: 'pledge.error.clientShare',
            values: { item: item ? localize(item.name, locale) : slug, max, minutes: pledgeHoldMinutes() },
          });
        }
        throw new FormRefused({ errors, status: 429 });
      }
      const errors = checkPledgeForm(values, availability(current), windowIds(current), locale).errors;
      if (outcome.reason === 'open_pledge') {
        // Nothing to correct in the numbers: this phone or address has a pledge for this time already.
        errors.set(outcome.contact, { key: 'pledge.error.openPledge' });
        throw new FormRefused({ errors, status: 409 });
      }
      if (errors.size === 0) {
        if (outcome.reason === 'invalid_window') errors.set('window', { key: 'pledge.error.windowGone' });
        else changedMeanwhile(errors, current, lines[0]!.item, locale);
      }
      throw new FormRefused({ errors, status: outcome.reason === 'exceeds_remaining' ? 409 : 422 });
    },
  }),

  /**
   * New quantities for a pledge, from its manage link (/{locale}/zaino-sospeso/gestisci?token=…;
   * the token stays in the address). A link that matches nothing, or a pledge no longer open,
   * goes back to the page, which says so.
   */
  changePledge: defineFormAction({
    input: pledgeFormSchema,
    slot: (context) => manageForm(context.url),
    messages: 'pledge.error.',
    handler: async (fields, context) => {
      const { managed, current, self } = await openManagedPledge(context);
      const values = readPledgeForm(
        fields,
        current.items.map((i) => i.slug),
      );
      const checked = checkQuantities(values, manageableItems(current, managed, context.locals.locale));
      if (checked.errors.size > 0) throw new FormRefused({ errors: checked.errors });
      const db = await getDb();
      const outcome = await changePledgeQuantities(db, managed, checked.lines);
      if (outcome.ok) {
        await invalidateCampaign(context);
        return { location: `${self}&esito=modificato` };
      }
      if (outcome.reason === 'not_open') throw seeOther(self);
      // Someone else was quicker: the form again, with today's numbers.
      const now = (await getCampaign(db, CAMPAIGN_SLUG)) ?? current;
      const errors = checkQuantities(values, manageableItems(now, managed, context.locals.locale)).errors;
      if (errors.size === 0) changedMeanwhile(errors, now, checked.lines[0]!.item, context.locals.locale);
      throw new FormRefused({ errors, status: outcome.reason === 'exceeds_remaining' ? 409 : 422 });
    },
  }),

  /** Cancels a pledge from its manage link (after the page's confirmation step): the items are needed again at once. */
  cancelPledge: defineFormAction({
    input: z.object({ azione: optionalField(20) }),
    slot: (context) => manageForm(context.url),
    messages: 'pledge.error.',
    handler: async (_input, context) => {
      const { managed, self } = await openManagedPledge(context);
      await cancelPledge(await getDb(), managed.id);
      await invalidateCampaign(context);
      return { location: `${self}&esito=annullato` };
    },
  }),

  /**
   * Staff: a pledge received, or not brought, at its drop-off (/{locale}/staff/raccolta?finestra=…).
   * `can(actor, pledges.manage {municipioId})` on the drop-off point as stored (inside markPledge).
   */
  markPledge: defineFormAction({
    input: z.object({
      intent: z.enum(['received', 'not_brought']),
      pledge: recordId('staff.pledges.conflict'),
    }),
    slot: (context) => dropOffForm(context.url),
    messages: 'staff.pledges.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ intent, pledge }, context) => {
      const { actor } = staffOf(context);
      const result = await markPledge(await getDb(), actor, pledge, intent);
      const here = staffPath(context.locals.locale, 'raccolta');
      if (!result.ok) {
        if (result.reason === 'forbidden') throw refuseForbidden();
        if (result.reason === 'not_found') throw notFoundPage();
        const window = windowParam(context.url);
        throw new FormRefused({
          notice: MARKED_MEANWHILE,
          status: 409,
          location: window ? `${here}?finestra=${window}#pledges` : here,
        });
      }
      await invalidateLiveData(context, [CACHE_TAGS.campaign(result.campaignSlug)]);
      return {
        location: `${here}?finestra=${result.windowId}&fatto=${intent}&rif=${encodeURIComponent(result.reference)}#pledges`,
      };
    },
  }),

  /** Staff: every item's target at once, all or nothing (/{locale}/staff/raccolta/articoli). */
  saveTargets: defineFormAction({
    // target-<item id> → the typed target; the rules (a whole number, not below what is pledged) are updateTargets'.
    input: z.object({ intent: optionalField(20) }).catchall(z.string().max(1000)),
    slot: ITEMS_FORM,
    messages: 'staff.pledges.items.error.',
    gate: staffOf,
    handler: async (fields, context) => {
      const actor = await campaignEditor(context);
      const targets = new Map<number, string>();
      for (const [name, value] of Object.entries(fields)) {
        const id = /^target-([1-9][0-9]{0,8})$/.exec(name)?.[1];
        if (id && typeof value === 'string') targets.set(Number(id), value.slice(0, 20));
      }
      const result = await updateTargets(await getDb(), actor, targets);
      if (!result.ok && result.reason === 'forbidden') throw refuseForbidden();
      if (!result.ok) {
        const errors = new Map(
          Object.entries(result.errors).map(([id, e]) => [
            `target-${id}`,
            { key: e.key, values: e.pledged === undefined ? undefined : { pledged: e.pledged } },
          ]),
        );
        throw new FormRefused({ errors });
      }
      await invalidateCampaign(context);
      return { location: `${itemsPage(context)}?fatto=${result.changed > 0 ? 'targets' : 'unchanged'}` };
    },
  }),

  /** Staff: a new item of the campaign, named in Italian (and English), with its target. */
  addItem: defineFormAction({
    input: z.object({
      intent: optionalField(20),
      nameIt: optionalField(500),
      nameEn: optionalField(500),
      target: optionalField(20),
    }),
    slot: ITEMS_FORM,
    messages: 'staff.pledges.items.error.',
    gate: staffOf,
    handler: async ({ nameIt, nameEn, target }, context) => {
      const actor = await campaignEditor(context);
      const result = await addCampaignItem(await getDb(), actor, { nameIt, nameEn, target });
      if (!result.ok && result.reason === 'forbidden') throw refuseForbidden();
      if (!result.ok) throw new FormRefused({ errors: result.errors });
      await invalidateCampaign(context);
      return { location: `${itemsPage(context)}?fatto=added` };
    },
  }),
};

const itemsPage = (context: ActionAPIContext) => staffPath(context.locals.locale, 'raccolta', 'articoli');

/** The signed-in coordinator or admin who may edit the campaign's items (`can(actor, campaign.edit)`), or 403. */
async function campaignEditor(context: ActionAPIContext) {
  const { actor } = staffOf(context);
  if (!can(actor, await campaignEdit(await getDb()))) throw refuseForbidden();
  return actor;
}

/**
 * The pledge of the manage link, still open and before its collection ends, with the campaign;
 * otherwise back to the page (which says "not found" or "closed"). A change through a link is a
 * public write: rate limited per client address (429 kept for the page).
 */
async function openManagedPledge(context: ActionAPIContext) {
  const db = await getDb();
  const token = linkToken(context.url);
  const self = pledgeManagePath(context.locals.locale, token);
  const managed = await findPledgeByToken(db, token);
  const view = managed && (await loadPledgeView(db, managed.id));
  const current = await getCampaign(db, CAMPAIGN_SLUG);
  if (!managed || !view || !current) throw seeOther(self);
  if (view.status !== 'pledged' || view.window.endsAt <= new Date()) throw seeOther(self);
  const limit = await guardPublicWrite(db, 'pledge-manage', clientIp(context));
  if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
  return { managed, current, self };
}
