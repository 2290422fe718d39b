import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { exceptionsFrom, getCachedDesk } from '#/features/booking/desk-cache.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { checkTopic } from '#/features/booking/validate.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { bookingToJson, slotToJson } from '#/features/open-data/api-shapes.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { parseBookingRequest, responseLocale, translateFields } from '#/features/booking/booking-request.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { codeSentToJson } from '#/features/verification/code-step-view.ts';
import { findHold } from '#/features/booking/holds.ts';

/** POST /api/v1/bookings: holds a place until the code sent to the contact confirms it (…/confirm). Documented in docs/api.md. */
export const POST: APIRoute = async (context) => {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const invalid = (fields: Record<string, string>) =>
    apiError(422, 'invalid', { fields: translateFields(fields, getTranslator(responseLocale(read.body))) });

  const parsed = parseBookingRequest(read.body);
  if (!parsed.ok) return invalid(parsed.fields);
  const { deskSlug, start, details, submissionKey } = parsed.value;

  const db = await getDb();
  // The desk, its hours and exceptions from this process's copy, dropped whenever staff change them.
  const cached = await getCachedDesk(db, deskSlug);
  if (!cached) return invalid({ desk: 'booking.error.deskInvalid' });
  const { desk } = cached;
  const topicError = checkTopic(details.topic, desk.services);
  if (topicError) return invalid({ topic: topicError });

  // Counted only once the request is well formed: malformed ones cost no write.
  const limit = await guardPublicWrite(db, 'booking', clientIp(context), [details.phone, details.email]);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);

  const secret = await getServerSecret(db);
  const outcome = await createBooking(db, { desk, start, ...details, submissionKey, source: 'api' }, new Date(), {
    knownExceptions: (from, to) => exceptionsFrom(cached, from, to),
    hold: { client: limitKey('hold', clientIp(context), secret) },
  });
  if (!outcome.ok) {
    if (outcome.reason === 'too_many_holds') return apiError(429, outcome.reason);
    return apiError(409, outcome.reason, { alternatives: outcome.alternatives.map(slotToJson) });
  }
  await invalidateLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
  // A new hold is answered from what was just written; a repeated submissionKey finds its booking,
  // pending still or confirmed meanwhile.
  const hold =
    outcome.hold && !outcome.duplicate
      ? {
          status: 'pending',
          expiresAt: outcome.hold.expiresAt,
          channel: outcome.hold.channel,
          phone: details.phone,
          email: details.email,
        }
      : await findHold(db, outcome.booking.id);
  const pending = hold?.status === 'pending';
  return json(
    {
      ...bookingToJson(outcome.booking, outcome.manageToken, details.locale, publicOrigin()),
      status: hold?.status ?? 'pending',
      hold_expires_at: pending && hold.expiresAt ? hold.expiresAt.toISOString() : null,
      code_sent_to: hold ? codeSentToJson(hold) : null,
    },
    { status: 201 },
  );
};
