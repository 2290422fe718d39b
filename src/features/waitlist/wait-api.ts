// The JSON API's side of the waiting list (issue #13; docs/api.md): joining an event's list with the
// same body as a sign-up. The status link goes to the contact only; the answer says where it went.
import type { APIContext } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { smsRecipientOf } from '#/server/mail/outbox.ts';
import { responseLocale, translateFields } from '#/features/booking/booking-request.ts';
import { maskEmail, maskPhone } from '#/features/verification/code.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { parsePartyJson, partySeats } from '#/features/events/party.ts';
import { joinEventWaitlist } from './join-event.ts';
import { eventWaitlistPath } from './wait-paths.ts';

const SUBMISSION_KEY = /^[\x21-\x7E]{1,64}$/;

/** The waiting-list option a 409 "full" names (registration-api.ts). */
export function waitingListOption(slug: string, locale: Locale) {
  return {
    join: `/api/v1/events/${encodeURIComponent(slug)}/waiting-list`,
    page: eventWaitlistPath(locale, slug),
  };
}

/** POST /api/v1/events/{slug}/waiting-list */
export async function postWaitingList(context: APIContext): Promise<Response> {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const locale = responseLocale(read.body);
  const t = getTranslator(locale);
  const parsed = parsePartyJson(read.body);
  if (!parsed.ok) return apiError(422, 'invalid', { fields: translateFields(parsed.fields, t) });
  const key = read.body.submissionKey;
  if (key !== undefined && key !== null && (typeof key !== 'string' || !SUBMISSION_KEY.test(key)))
    return apiError(422, 'invalid', { fields: { submissionKey: t('events.register.error.submissionKeyInvalid') } });
  const db = await getDb();
  const event = await getPublicEventBySlug(db, context.params.slug ?? '');
  if (!event) return apiError(404, 'not_found');
  const party = parsed.value;
  const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [party.phone, party.email]);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  const secret = await getServerSecret(db);
  const outcome = await joinEventWaitlist(db, event.id, party, {
    client: limitKey('hold', clientIp(context), secret),
    submissionKey: typeof key === 'string' ? key : null,
  });
  if (!outcome.ok) {
    const message = t(`waitlist.refused.${outcome.reason}`);
    return apiError(outcome.reason === 'too_many' ? 429 : 409, outcome.reason, { message });
  }
  await invalidateLiveData(context, [CACHE_TAGS.events]);
  const sms = smsRecipientOf(party.phone);
  return json(
    {
      reference: outcome.reference,
      event: event.slug,
      seats: partySeats(party),
      status: 'waiting',
      position: outcome.position,
      link_sent_to: sms
        ? { channel: 'sms', to: maskPhone(sms) }
        : { channel: 'email', to: maskEmail(party.email ?? '') },
    },
    { status: outcome.duplicate ? 200 : 201 },
  );
}
