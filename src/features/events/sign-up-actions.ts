// A family's sign-up for an event's seats as Astro Actions (issue #13), without JavaScript:
// the party form (…/eventi/{slug}/iscrizione) takes the seats as a pending hold and answers 303 to
// the code step (…/codice), whose code confirms it (303 to …/iscritti); "we can't come"
// (…/non-veniamo, from the link of the messages) frees the seats. The hold's id lives in its own
// sealed draft ('signup-hold'), never in a URL; refused forms keep their answers in 'signup'.
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import { getConfig } from '#/server/config.ts';
import { optionalField } from '#/lib/validation.ts';
import { eventPath, eventSignUpPath } from '#/lib/paths.ts';
import { saveFormDraft } from '#/server/forms/form-draft.ts';
import { heldFromDraft, signUpForm } from './sign-up-drafts.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { codeEmailTarget, parseCodeInput } from '#/features/verification/code.ts';
import { AGE_BANDS, BAND_COLUMN, PARTY_FIELD_ORDER, parsePartyForm, partySeats, type Party } from './party.ts';
import { registerParty, signUpRefusalKey } from './registrations.ts';
import { readSignUpEvent } from './sign-up-event.ts';
import {
  cancelRegistration,
  confirmRegistration,
  findRegistration,
  registrationLapsed,
  resendRegistrationCode,
} from './registration-holds.ts';

const partyFields = z.object({
  adults: optionalField(20),
  ...Object.fromEntries(AGE_BANDS.map((b) => [BAND_COLUMN[b], optionalField(20)])),
  name: optionalField(200),
  phone: optionalField(100),
  email: optionalField(300),
  locale: optionalField(10),
  submissionKey: optionalField(100),
});

async function signUpEvent(context: ActionAPIContext) {
  const db = await getDb();
  const event = await readSignUpEvent(db, context.params.slug ?? '');
  // Gone meanwhile: the page's own GET says so (404).
  if (!event) throw seeOther(context.url.pathname);
  return { db, event, locale: context.locals.locale };
}

/**
 * The party this browser signed up a moment ago, still waiting for its code: Back from the code step
 * and "sign up" again (the page came back with a new submission key) leads to that code step, not to
 * "already signed up". The same contact and seats only; another party is refused as before.
 */
async function stillHeldHere(context: ActionAPIContext, slug: string, party: Party): Promise<boolean> {
  const held = await heldFromDraft(context, slug);
  const r = held && (await findRegistration(await getDb(), held.id));
  return (
    !!r &&
    r.eventSlug === slug &&
    !registrationLapsed(r, new Date()) &&
    r.status === 'pending' &&
    r.phone === party.phone &&
    r.email === party.email &&
    r.seats === partySeats(party)
  );
}

/** "Send again", or "use email instead" (`email`: '' for the address already given); the code step says what happened. */
async function resendSignUpCodeTo(context: ActionAPIContext, email?: string): Promise<never> {
  const { db, event, locale } = await signUpEvent(context);
  const id = (await heldFromDraft(context, event.slug))?.id;
  if (id === undefined) throw seeOther(eventPath(locale, event.slug));
  let toEmail: string | undefined;
  if (email !== undefined) {
    toEmail = codeEmailTarget(email, (await findRegistration(db, id))?.email);
    if (!toEmail) throw new FormRefused({ errors: { email: 'events.register.error.emailInvalid' } });
  }
  const outcome = await resendRegistrationCode(db, id, toEmail ? { toEmail } : {});
  // What happened is said once by the code step's GET (the hold's draft carries it).
  const said = outcome.ok ? 'resent' : outcome.reason;
  await saveFormDraft(context, 'signup-hold', { slug: event.slug, id, said });
  throw seeOther(eventSignUpPath(locale, event.slug, 'codice'));
}

export const signUpActions = {
  /** The party form: all its seats held until the code confirms them, or a clear refusal. */
  signUp: defineFormAction({
    input: partyFields,
    slot: (context) => signUpForm(context.params.slug, 'party'),
    messages: 'events.register.error.',
    fields: PARTY_FIELD_ORDER,
    honeypot: true,
    handler: async (input, context) => {
      const parsed = parsePartyForm(input as Record<string, string>);
      if (!parsed.ok) throw new FormRefused({ errors: parsed.fields });
      const { db, event, locale } = await signUpEvent(context);
      const party = parsed.value;
      const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [party.phone, party.email]);
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      const secret = await getServerSecret(db);
      const outcome = await registerParty(db, event.id, party, {
        client: limitKey('hold', clientIp(context), secret),
        submissionKey: /^[\x21-\x7E]{1,64}$/.test(input.submissionKey) ? input.submissionKey : null,
        event,
      });
      if (!outcome.ok && outcome.reason === 'already_registered' && (await stillHeldHere(context, event.slug, party)))
        throw seeOther(eventSignUpPath(locale, event.slug, 'codice'));
      if (!outcome.ok)
        throw new FormRefused({
          // A full event: the notice points to its waiting list (issue #13), linked below the form.
          notice: signUpRefusalKey(outcome.reason, event.repeats),
          status: outcome.reason === 'too_many_holds' ? 429 : 409,
        });
      await invalidateLiveData(context, [CACHE_TAGS.events, `event:${event.slug}`]);
      await saveFormDraft(context, 'signup-hold', { slug: event.slug, id: outcome.registration.id });
      return { location: eventSignUpPath(locale, event.slug, 'codice') };
    },
  }),
  /** The code step: the 6-digit code confirms the held seats. */
  verifySignUpCode: defineFormAction({
    input: z.object({ code: optionalField(40) }),
    slot: (context) => signUpForm(context.params.slug, 'code'),
    messages: 'events.code.',
    omit: ['code'],
    handler: async ({ code }, context) => {
      const { db, event, locale } = await signUpEvent(context);
      const id = (await heldFromDraft(context, event.slug))?.id;
      if (id === undefined) throw seeOther(eventPath(locale, event.slug));
      const typed = parseCodeInput(code);
      if (!typed) throw new FormRefused({ errors: { code: 'events.code.format' } });
      const outcome = await confirmRegistration(db, id, typed, { reminderAt: getConfig().reminderTime });
      if (!outcome.ok) {
        if (outcome.reason === 'wrong') throw new FormRefused({ errors: { code: 'events.code.wrong' }, status: 422 });
        if (outcome.reason === 'locked') throw new FormRefused({ notice: 'events.code.locked', status: 429 });
        await invalidateLiveData(context, [CACHE_TAGS.events, `event:${event.slug}`]);
        throw new FormRefused({ notice: 'events.code.expired', status: 410 });
      }
      return { location: eventSignUpPath(locale, event.slug, 'iscritti') };
    },
  }),
  /** "Send the code again" (limited as for bookings). */
  resendSignUpCode: defineFormAction({
    input: z.object({}),
    slot: (context) => signUpForm(context.params.slug, 'code'),
    messages: 'events.code.',
    handler: (_input, context) => resendSignUpCodeTo(context),
  }),
  /** "Use email instead": the code by email, to the address given or to one written here (as for bookings). */
  useEmailForSignUp: defineFormAction({
    input: z.object({ email: optionalField(300) }),
    slot: (context) => signUpForm(context.params.slug, 'code'),
    messages: 'events.code.',
    handler: ({ email }, context) => resendSignUpCodeTo(context, email),
  }),
  /** "We can't come": from the page the messages' link opens (a POST, so a mail scanner cannot cancel). */
  cancelSignUp: defineFormAction({
    input: z.object({ token: optionalField(120) }),
    slot: (context) => signUpForm(context.params.slug, 'cancel'),
    messages: 'events.cancel.',
    invalid: 'bad-request',
    handler: async ({ token }, context) => {
      const db = await getDb();
      const locale = context.locals.locale;
      const done = await cancelRegistration(db, token);
      const slug = context.params.slug ?? '';
      if (done) await invalidateLiveData(context, [CACHE_TAGS.events, `event:${done.eventSlug}`]);
      return { location: eventSignUpPath(locale, slug, 'non-veniamo', { esito: done ? 'annullata' : 'scaduta' }) };
    },
  }),
};
