import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { exceptionsFrom, getCachedDesk } from '#/server/cache/write-cache.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { checkTopic } from '#/features/booking/validate.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { bookingToJson, slotToJson } from '#/features/open-data/api-shapes.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { parseBookingRequest, responseLocale, translateFields } from '#/features/booking/booking-request.ts';

/** POST /api/v1/bookings: books a slot. Documented in docs/api.md. */
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

  const outcome = await createBooking(db, { desk, start, ...details, submissionKey, source: 'api' }, new Date(), {
    knownExceptions: (from, to) => exceptionsFrom(cached, from, to),
  });
  if (!outcome.ok) return apiError(409, outcome.reason, { alternatives: outcome.alternatives.map(slotToJson) });
  await invalidateLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
  return json(bookingToJson(outcome.booking, outcome.manageToken, details.locale, publicOrigin()), { status: 201 });
};
