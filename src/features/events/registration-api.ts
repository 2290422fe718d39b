// The JSON API's side of event sign-ups (issue #13; docs/api.md): one function per endpoint doing
// what the HTML form's actions do, answering with the shapes below. The endpoints stay thin.
import type { APIContext } from 'astro';
import { getDb } from '#/server/db/index.ts';
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
import { registerParty } from './registrations.ts';
import { confirmRegistration, findRegistration, findRegistrationIdByReference } from './registration-holds.ts';
import type { RegistrationView } from './registration-holds.ts';
import { waitingListOption } from '#/features/waitlist/wait-api.ts';

const SUBMISSION_KEY = /^[\x21-\x7E]{1,64}$/;

function registrationJson(r: RegistrationView, now = new Date()) {
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
  // `occurrence` picks one date of a recurring activity (#13).
  const found = await eventForSignUp(db, context.params.slug ?? '', read.body.occurrence);
  if (!found.ok && found.error === 'invalid')
    return apiError(422, 'invalid', { fields: { occurrence: t('series.error.occurrenceInvalid') } });
  if (!found.ok) return apiError(404, 'not_found');
  const event = found.event;
  const party = parsed.value;
  const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [party.phone, party.email]);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  const secret = await getServerSecret(db);
  const outcome = await registerParty(db, event.id, party, {
    client: limitKey('hold', clientIp(context), secret),
    submissionKey: typeof key === 'string' ? key : null,
  });
  if (!outcome.ok) {
    const message = t(`events.register.refused.${outcome.reason}`);
    if (outcome.reason === 'too_many_holds') return apiError(429, outcome.reason, { message });
    if (outcome.reason === 'not_open') return apiError(409, outcome.reason, { message });
    // Full for this party: the answer names the event's waiting list (issue #13).
    return apiError(409, outcome.reason, {
      message: t('waitlist.api.full'),
      seats: event.seats,
      waiting_list: waitingListOption(event.slug, responseLocale(read.body)),
    });
  }
  await invalidateLiveData(context, [CACHE_TAGS.events]);
  const r = await findRegistration(db, outcome.registration.id);
  return json(registrationJson(r!), { status: outcome.duplicate ? 200 : 201 });
}

/** POST /api/v1/events/{slug}/registrations/{reference}/confirm with {"code": "123456"} */
export async function postRegistrationConfirm(context: APIContext): Promise<Response> {
  const read = await readCodeConfirm(context, 'registration-confirm');
  if (!read.ok) return read.response;
  const { db, code } = read;
  const reference = parseReference(context.params.reference ?? '', 'QE');
  const id = reference ? await findRegistrationIdByReference(db, reference) : undefined;
  const found = id === undefined ? undefined : await findRegistration(db, id);
  if (!found || found.eventSlug !== context.params.slug) return apiError(404, 'not_found');
  const outcome = await confirmRegistration(db, found.id, code, { reminderAt: getConfig().reminderTime });
  if (!outcome.ok) {
    if (outcome.reason !== 'wrong' && outcome.reason !== 'locked')
      await invalidateLiveData(context, [CACHE_TAGS.events]);
    return codeRefusedResponse(outcome);
  }
  return json(registrationJson((await findRegistration(db, found.id))!));
}
