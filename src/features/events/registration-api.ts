// The JSON API's side of event sign-ups (issue #13; docs/api.md): one function per endpoint doing
// what the HTML form's actions do, answering with the shapes below. The endpoints stay thin.
import type { APIContext } from 'astro';
import { getDb } from '#/server/db/index.ts';
import type { Db } from '#/server/db/database.ts';
import { getConfig } from '#/server/config.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { parseReference } from '#/lib/reference-code.ts';
import { responseLocale, translateFields } from '#/features/booking/booking-request.ts';
import { maskEmail, maskPhone } from '#/features/verification/code.ts';
import { codeRefusedResponse, readCodeConfirm } from '#/features/verification/code-api.ts';
import { eventForSignUp } from './series-occurrence.ts';
import { parsePartyJson } from './party.ts';
import { registerParty, signUpRefusalKey } from './registrations.ts';
import { confirmRegistration, findRegistration } from './registration-holds.ts';
import { readSignUpEvent, type SignUpEvent } from './sign-up-event.ts';
import type { RegistrationView } from './registration-holds.ts';
import { waitingListOption } from '#/features/waitlist/wait-api.ts';

const SUBMISSION_KEY = /^[\x21-\x7E]{1,64}$/;

type RegistrationAnswer = Pick<
  RegistrationView,
  'reference' | 'eventSlug' | 'seats' | 'status' | 'expiresAt' | 'channel' | 'phone' | 'email'
>;

function registrationJson(r: RegistrationAnswer, now = new Date()) {
  const pending = r.status === 'pending';
  return {
    reference: r.reference,
    event: r.eventSlug,
    seats: r.seats,
    status: r.status,
    hold_expires_at: pending && r.expiresAt ? r.expiresAt.toISOString() : null,
    code_sent_to:
      pending && r.channel && (r.expiresAt?.getTime() ?? 0) > now.getTime()
        ? { channel: r.channel, to: r.channel === 'sms' ? maskPhone(r.phone ?? '') : maskEmail(r.email ?? '') }
        : null,
  };
}

/** POST /api/v1/events/{slug}/registrations */
export async function postRegistration(context: APIContext): Promise<Response> {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const t = getTranslator(responseLocale(read.body));
  const parsed = parsePartyJson(read.body);
  if (!parsed.ok) return apiError(422, 'invalid', { fields: translateFields(parsed.fields, t) });
  const key = read.body.submissionKey;
  if (key !== undefined && key !== null && (typeof key !== 'string' || !SUBMISSION_KEY.test(key)))
    return apiError(422, 'invalid', { fields: { submissionKey: t('events.register.error.submissionKeyInvalid') } });
  const db = await getDb();
  const event = await signUpTarget(db, context.params.slug ?? '', read.body.occurrence);
  if (event === 'invalid')
    return apiError(422, 'invalid', { fields: { occurrence: t('series.error.occurrenceInvalid') } });
  if (!event) return apiError(404, 'not_found');
  const party = parsed.value;
  const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [party.phone, party.email]);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  const secret = await getServerSecret(db);
  const outcome = await registerParty(db, event.id, party, {
    client: limitKey('hold', clientIp(context), secret),
    submissionKey: typeof key === 'string' ? key : null,
    ...('waiting' in event ? { event } : {}),
  });
  if (!outcome.ok) {
    const message = t(signUpRefusalKey(outcome.reason, event.repeats));
    if (outcome.reason === 'too_many_holds') return apiError(429, outcome.reason, { message });
    if (outcome.reason === 'not_open' || outcome.reason === 'cancelled')
      return apiError(409, outcome.reason, { message });
    // Full for this party: the answer names the event's waiting list (issue #13).
    return apiError(409, outcome.reason, {
      message: t('waitlist.api.full'),
      seats: event.seats,
      waiting_list: waitingListOption(event.slug, responseLocale(read.body)),
    });
  }
  await invalidateLiveData(context, [CACHE_TAGS.events]);
  if (outcome.duplicate) return json(registrationJson((await findRegistration(db, outcome.registration.id))!));
  // A new hold is answered from what was just written (no statement to read it back).
  const { registration, hold } = outcome;
  const answer: RegistrationAnswer = {
    reference: registration.reference,
    eventSlug: event.slug,
    seats: registration.seats,
    status: 'pending',
    expiresAt: hold.expiresAt,
    channel: hold.channel,
    phone: party.phone,
    email: party.email,
  };
  return json(registrationJson(answer), { status: 201 });
}

/**
 * The event a sign-up is for: the slug's in one statement (sign-up-event.ts), or with `occurrence`
 * (one date of a recurring activity, #13) that date's; 'invalid' for a date that is not one.
 */
async function signUpTarget(
  db: Db,
  slug: string,
  occurrence: unknown,
): Promise<SignUpEvent | Pick<SignUpEvent, 'id' | 'slug' | 'seats' | 'repeats'> | 'invalid' | undefined> {
  if (occurrence === undefined || occurrence === null) return readSignUpEvent(db, slug);
  const found = await eventForSignUp(db, slug, occurrence);
  if (!found.ok) return found.error === 'invalid' ? 'invalid' : undefined;
  const { id, slug: itsSlug, seats, seriesId } = found.event;
  return { id, slug: itsSlug, seats, repeats: seriesId !== null };
}

/** POST /api/v1/events/{slug}/registrations/{reference}/confirm with {"code": "123456"} */
export async function postRegistrationConfirm(context: APIContext): Promise<Response> {
  const read = await readCodeConfirm(context, 'registration-confirm');
  if (!read.ok) return read.response;
  const { db, code } = read;
  const reference = parseReference(context.params.reference ?? '', 'QE');
  if (!reference) return apiError(404, 'not_found');
  // The sign-up is found by its reference and its event's slug inside the confirmation's own
  // transaction (locked there): none is 'gone'.
  const outcome = await confirmRegistration(db, { reference, eventSlug: context.params.slug ?? '' }, code, {
    reminderAt: getConfig().reminderTime,
  });
  if (!outcome.ok) {
    if (outcome.reason === 'gone') return apiError(404, 'not_found');
    if (outcome.reason !== 'wrong' && outcome.reason !== 'locked')
      await invalidateLiveData(context, [CACHE_TAGS.events]);
    return codeRefusedResponse(outcome);
  }
  // Confirmed (now or before): no hold left to show, nothing else changed (no statement to read it back).
  const confirmed = { ...outcome.registration, status: 'confirmed', expiresAt: null };
  return json(registrationJson({ ...confirmed, channel: null, phone: null, email: null }));
}
