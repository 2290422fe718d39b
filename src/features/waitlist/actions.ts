// The waiting list's forms as Astro Actions (issue #13), without JavaScript: joining an event's list
// (…/eventi/{slug}/lista-attesa, the party form of a sign-up, then its code step: wait-code-actions.ts;
// Back from the code step and "join" again lead to the same code step), and the family's answers on its status
// page (/{locale}/lista-attesa?token=…): accept an offer, decline it, or leave the list. Each is a
// POST from a page (a mail scanner following the link changes nothing), then 303 to a GET.
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import { getConfig } from '#/server/config.ts';
import { optionalField } from '#/lib/validation.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { AGE_BANDS, BAND_COLUMN, PARTY_FIELD_ORDER, parsePartyForm, partySeats } from '#/features/events/party.ts';
import { joinEventWaitlist } from './join-event.ts';
import { acceptOffer, declineOrLeave } from './respond.ts';
import { deskWaitlistPath, eventWaitlistPath, waitStatusPath } from './wait-paths.ts';
import { joinDeskWaitlist, parseDeskWait } from './join-desk.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { codeStepPath, stillPendingHere, toWaitCodeStep, waitCodeActions } from './wait-code-actions.ts';

/** Where a refused join form keeps its answers (the sign-up's flow, a scope of its own). */
export const waitlistForm = (slug: string | undefined) =>
  ({ flow: 'signup', scope: `waitlist:${slug ?? ''}` }) as const;
/** The same for a desk's "tell me if a place opens". */
export const deskWaitlistForm = (slug: string | undefined) =>
  ({ flow: 'signup', scope: `waitlist-desk:${slug ?? ''}` }) as const;
export const DESK_WAIT_FIELDS = ['fromDay', 'toDay', 'name', 'phone', 'email', 'locale'] as const;

const partyFields = z.object({
  adults: optionalField(20),
  ...Object.fromEntries(AGE_BANDS.map((b) => [BAND_COLUMN[b], optionalField(20)])),
  name: optionalField(200),
  phone: optionalField(100),
  email: optionalField(300),
  locale: optionalField(10),
  submissionKey: optionalField(100),
});

/** What the status page says after an answer (?esito=…). */
export const ANSWER_OUTCOMES = {
  accepted: 'accettata',
  booked: 'prenotata',
  declined: 'rifiutata',
  left: 'uscita',
  expired: 'scaduta',
  already_accepted: 'gia-accettata',
  not_offered: 'in-attesa',
  unknown: 'sconosciuta',
  closed: 'chiusa',
} as const;

const answered = (context: ActionAPIContext, outcome: keyof typeof ANSWER_OUTCOMES, token?: string) =>
  ({
    location: waitStatusPath(context.locals.locale, {
      esito: ANSWER_OUTCOMES[outcome],
      // Still on the list: the page shows where, from the same link.
      ...(token && outcome === 'not_offered' ? { token } : {}),
    }),
  }) as const;

async function refreshEvents(context: ActionAPIContext, slug?: string) {
  await invalidateLiveData(context, [CACHE_TAGS.events, ...(slug ? [`event:${slug}`] : [])]);
}

export const waitlist = {
  ...waitCodeActions,
  /** Joining an event's waiting list: the whole party, a name, one contact, the language. */
  joinEvent: defineFormAction({
    input: partyFields,
    slot: (context) => waitlistForm(context.params.slug),
    messages: 'events.register.error.',
    fields: PARTY_FIELD_ORDER,
    honeypot: true,
    handler: async (input, context) => {
      const parsed = parsePartyForm(input as Record<string, string>);
      if (!parsed.ok) throw new FormRefused({ errors: parsed.fields });
      const db = await getDb();
      const event = await getPublicEventBySlug(db, context.params.slug ?? '');
      if (!event) throw seeOther(context.url.pathname);
      const party = parsed.value;
      const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [party.phone, party.email]);
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      const secret = await getServerSecret(db);
      const outcome = await joinEventWaitlist(db, event.id, party, {
        client: limitKey('hold', clientIp(context), secret),
        submissionKey: /^[\x21-\x7E]{1,64}$/.test(input.submissionKey) ? input.submissionKey : null,
      });
      const listPage = eventWaitlistPath(context.locals.locale, event.slug);
      if (
        !outcome.ok &&
        outcome.reason === 'already_waiting' &&
        (await stillPendingHere(context, { eventId: event.id }, { ...party, seats: partySeats(party) }))
      )
        throw seeOther(codeStepPath(listPage));
      if (!outcome.ok)
        throw new FormRefused({
          notice: `waitlist.refused.${outcome.reason}`,
          status: outcome.reason === 'too_many' ? 429 : 409,
        });
      return toWaitCodeStep(context, outcome.id, listPage);
    },
  }),
  /** "Tell me if a place opens" at a desk, for a range of days. */
  joinDesk: defineFormAction({
    input: z.object({
      fromDay: optionalField(20),
      toDay: optionalField(20),
      name: optionalField(200),
      phone: optionalField(100),
      email: optionalField(300),
      locale: optionalField(10),
      submissionKey: optionalField(100),
    }),
    slot: (context) => deskWaitlistForm(context.params.slug),
    messages: 'waitlist.desk.error.',
    fields: DESK_WAIT_FIELDS,
    honeypot: true,
    handler: async (input, context) => {
      const parsed = parseDeskWait(input);
      if (!parsed.ok) throw new FormRefused({ errors: parsed.fields });
      const db = await getDb();
      const desk = await getDeskBySlug(db, context.params.slug ?? '');
      if (!desk) throw seeOther(context.url.pathname);
      const wait = parsed.value;
      const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [wait.phone, wait.email]);
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      const secret = await getServerSecret(db);
      const outcome = await joinDeskWaitlist(db, desk, wait, {
        client: limitKey('hold', clientIp(context), secret),
        submissionKey: /^[\x21-\x7E]{1,64}$/.test(input.submissionKey) ? input.submissionKey : null,
      });
      const listPage = deskWaitlistPath(context.locals.locale, desk.slug);
      if (
        !outcome.ok &&
        outcome.reason === 'already_waiting' &&
        (await stillPendingHere(context, { deskId: desk.id }, { ...wait, seats: 1 }))
      )
        throw seeOther(codeStepPath(listPage));
      if (!outcome.ok)
        throw new FormRefused({
          // The event's wording names "this event"; a desk's list says "this desk".
          notice:
            outcome.reason === 'already_waiting'
              ? 'waitlist.refused.desk_already_waiting'
              : `waitlist.refused.${outcome.reason}`,
          status: outcome.reason === 'too_many' ? 429 : 409,
        });
      return toWaitCodeStep(context, outcome.id, listPage);
    },
  }),
  /** "Yes, we come": the offered seats become a confirmed sign-up. */
  acceptOffer: defineFormAction({
    input: z.object({ token: optionalField(120) }),
    slot: { flow: 'signup', scope: 'waitlist-answer' },
    messages: 'waitlist.status.',
    invalid: 'bad-request',
    handler: async ({ token }, context) => {
      const db = await getDb();
      const outcome = await acceptOffer(db, token, { reminderAt: getConfig().reminderTime });
      if (!outcome.ok) return answered(context, outcome.reason, token);
      if (outcome.kind === 'event') await refreshEvents(context, outcome.eventSlug);
      else await invalidateLiveData(context, [CACHE_TAGS.slots(outcome.deskSlug)]);
      return answered(context, outcome.kind === 'event' ? 'accepted' : 'booked');
    },
  }),
  /** "No thanks" to an offer, or "take us off the list". */
  declineOffer: defineFormAction({
    input: z.object({ token: optionalField(120) }),
    slot: { flow: 'signup', scope: 'waitlist-answer' },
    messages: 'waitlist.status.',
    invalid: 'bad-request',
    handler: async ({ token }, context) => {
      const outcome = await declineOrLeave(await getDb(), token);
      if (!outcome.ok) return answered(context, outcome.reason);
      await refreshEvents(context);
      return answered(context, outcome.was === 'offered' ? 'declined' : 'left');
    },
  }),
};
