// The forms that change a booking after it was made, as Astro Actions: from the email's manage
// link (/{locale}/prenotazione/gestisci?token=…: cancel, move) and by reference and phone
// (/{locale}/prenotazione/annulla: look up, then cancel or move). The token or the typed answers are the
// only key; failed look-ups and writes are rate limited per address.
import { createHash } from 'node:crypto';
import { cancelByReferencePath, managePath } from '#/lib/paths.ts';
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { defineFormAction, FormRefused, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import type { Db } from '#/server/db/database.ts';
import { getConfig } from '#/server/config.ts';
import { clientIp, guardLookup, guardPublicWrite } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { bookingReference, optionalField, requiredPhone } from '#/lib/validation.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { cancelBooking, findBookingByReferenceAndPhone, findBookingByToken, moveBooking } from './manage-booking.ts';
import type { ManagedBooking } from './manage-booking.ts';
import { weekOf } from './booking-flow.ts';
import { parseSlotValue } from './flow.ts';

const MAX_TOKEN = 200;
const tokenOf = (url: URL) => (url.searchParams.get('token') ?? '').slice(0, MAX_TOKEN);

/** The manage page's draft, per link (the token's hash: the token itself never leaves the URL). */
export function manageForm(url: URL) {
  const scope = `booking-manage:${createHash('sha256').update(tokenOf(url)).digest('base64url').slice(0, 22)}`;
  return { flow: 'manage', scope } as const;
}

/** The booking-by-reference page's draft: the typed reference and phone, for both of its steps. */
export const CANCEL_FORM = { flow: 'cancel', scope: 'annulla' } as const;
export const CANCEL_FIELDS = ['reference', 'phone'] as const;

/** Only a booking still to come can be cancelled or moved. */
const upcoming = (booking: ManagedBooking, now = new Date()) => booking.status === 'confirmed' && booking.end > now;

/**
 * The booking the manage link names, if it can still change (`displaced`: or was cancelled by its
 * desk's closed day, to choose again); else back to the page, which says why.
 */
export async function linkedBooking(context: ActionAPIContext, accept: { displaced?: boolean } = {}) {
  const token = tokenOf(context.url);
  const self = (query: Record<string, string> = {}) => managePath(context.locals.locale, token, query);
  const db = await getDb();
  const booking = await findBookingByToken(db, token);
  const desk = booking && (await getDeskBySlug(db, booking.deskSlug));
  const changeable = booking && (upcoming(booking) || (accept.displaced === true && booking.displaced));
  if (!booking || !desk || !changeable) throw seeOther(self());
  const limit = await guardPublicWrite(db, 'manage', clientIp(context));
  if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
  return { db, booking, desk, self };
}

/** The booking a typed reference and phone name, if it can still be cancelled. */
async function cancellable(db: Db, reference: string, phone: string): Promise<ManagedBooking | undefined> {
  const found = await findBookingByReferenceAndPhone(db, reference, phone);
  return found && upcoming(found) ? found : undefined;
}

const lookUpInput = z.object({
  reference: bookingReference('booking.error.referenceInvalid'),
  phone: requiredPhone({ required: 'booking.error.phoneRequired', invalid: 'booking.error.phoneInvalid' }),
});

/** The booking a reference and phone as typed name (the confirmation step's look-up), if cancellable. */
export async function cancellableByReference(
  db: Db,
  typed: { reference: string; phone: string },
): Promise<ManagedBooking | undefined> {
  const parsed = lookUpInput.safeParse(typed);
  return parsed.success ? cancellable(db, parsed.data.reference, parsed.data.phone) : undefined;
}

export const manageBooking = {
  /** "Yes, cancel" on the manage link's confirmation step. */
  cancel: defineFormAction({
    input: z.object({}),
    slot: (context) => manageForm(context.url),
    messages: 'booking.error.',
    handler: async (_input, context) => {
      const { db, booking, desk, self } = await linkedBooking(context);
      await cancelBooking(db, booking.id);
      await invalidateLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
      return { location: self({ esito: 'annullata' }) };
    },
  }),
  /** Another free time from the manage link's week page; a time taken meanwhile is said on that week. */
  move: defineFormAction({
    input: z.object({ slot: optionalField(40) }),
    slot: (context) => manageForm(context.url),
    messages: 'booking.error.',
    handler: async ({ slot }, context) => {
      const { db, booking, desk, self } = await linkedBooking(context, { displaced: true });
      const start = parseSlotValue(slot);
      const moved =
        start && (await moveBooking(db, booking, desk, start, new Date(), { reminderAt: getConfig().reminderTime }));
      if (moved && moved.ok) {
        await invalidateLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
        return { location: self({ esito: 'spostata' }) };
      }
      // Back to the week of the time asked for, which says it is taken (or that none was chosen).
      const asked = start ? weekOf(slot) : undefined;
      throw new FormRefused({
        errors: { slots: start ? 'booking.error.slotTaken' : 'booking.error.slotRequired' },
        status: start ? 409 : 422,
        location: self({ azione: 'sposta', ...(asked && { settimana: asked }) }),
      });
    },
  }),
  /**
   * Reference and phone typed: kept in the draft for the confirmation step. Unknown reference,
   * wrong phone, already cancelled or past: one answer for all, and each look-up counted.
   */
  findToCancel: defineFormAction({
    input: lookUpInput,
    slot: CANCEL_FORM,
    messages: 'booking.error.',
    fields: CANCEL_FIELDS,
    honeypot: true,
    handler: async ({ reference, phone }, context) => {
      const db = await getDb();
      const limit = await guardLookup(db, 'cancel', clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      if (!(await cancellable(db, reference, phone)))
        throw new FormRefused({ errors: { reference: 'manage.lookup.notFound' } });
      // Not a refusal: the answers wait in the draft for "Yes, cancel", which sends nothing personal.
      throw new FormRefused({
        step: 'confirm',
        status: 200,
        location: cancelByReferencePath(context.locals.locale, { passo: 'conferma' }),
      });
    },
  }),
  /** "Yes, cancel": the answers the draft holds, checked and counted again, then cancelled. */
  cancelByReference: defineFormAction({
    input: z.object({}),
    slot: CANCEL_FORM,
    messages: 'booking.error.',
    fields: CANCEL_FIELDS,
    handler: async (_input, context) => {
      const { db, found } = await bookingOfDraft(context);
      await cancelBooking(db, found.id);
      await invalidateLiveData(context, [CACHE_TAGS.slots(found.deskSlug)]);
      return { location: cancelByReferencePath(context.locals.locale, { esito: 'annullata' }) };
    },
  }),
  /**
   * Another free time of the same desk, for the booking the draft's reference and phone name
   * (checked and counted again): moved in one transaction (moveBooking), the family told by SMS or
   * email. A time taken meanwhile: back to its week, which says so (409), the answers kept.
   */
  moveByReference: defineFormAction({
    input: z.object({ slot: optionalField(40) }),
    slot: CANCEL_FORM,
    messages: 'booking.error.',
    fields: CANCEL_FIELDS,
    handler: async ({ slot }, context) => {
      const { db, found, kept } = await bookingOfDraft(context);
      const desk = await getDeskBySlug(db, found.deskSlug);
      const start = parseSlotValue(slot);
      const moved =
        desk &&
        start &&
        (await moveBooking(db, found, desk, start, new Date(), { reminderAt: getConfig().reminderTime }));
      if (moved && moved.ok) {
        await invalidateLiveData(context, [CACHE_TAGS.slots(found.deskSlug)]);
        return { location: cancelByReferencePath(context.locals.locale, { esito: 'spostata' }) };
      }
      const asked = start ? weekOf(slot) : undefined;
      throw new FormRefused({
        form: kept.form,
        step: 'confirm',
        errors: { slots: start ? 'booking.error.slotTaken' : 'booking.error.slotRequired' },
        status: start ? 409 : 422,
        location: cancelByReferencePath(context.locals.locale, { passo: 'sposta', ...(asked && { settimana: asked }) }),
      });
    },
  }),
};

/**
 * The booking the draft's reference and phone name (its look-up step passed), looked up and counted
 * again, as "Yes, cancel" and "move" send nothing personal; else back to the form, which says why.
 */
async function bookingOfDraft(context: ActionAPIContext) {
  const formPath = cancelByReferencePath(context.locals.locale);
  const keeper = { cookies: context.cookies, redirect: () => new Response(), response: { headers: new Headers() } };
  const kept = await keptFormInput(keeper as never, CANCEL_FORM.flow, CANCEL_FORM.scope);
  if (kept?.step !== 'confirm') throw seeOther(formPath);
  const typed = lookUpInput.safeParse(Object.fromEntries(kept.form));
  if (!typed.success) throw seeOther(formPath);
  const db = await getDb();
  const back = { form: kept.form, location: formPath };
  const limit = await guardLookup(db, 'cancel', clientIp(context));
  if (!limit.allowed) throw new FormRefused({ ...back, retryAfterSeconds: limit.retryAfterSeconds });
  const found = await cancellable(db, typed.data.reference, typed.data.phone);
  if (!found) throw new FormRefused({ ...back, errors: { reference: 'manage.lookup.notFound' } });
  return { db, found, kept };
}
