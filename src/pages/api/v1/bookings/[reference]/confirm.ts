import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { parseReference } from '#/features/booking/reference.ts';
import { parseCodeInput } from '#/features/verification/code.ts';
import { confirmHold, findHold, findHoldIdByReference } from '#/features/booking/holds.ts';
import { bookingToJson } from '#/features/open-data/api-shapes.ts';
import { getConfig } from '#/server/config.ts';

/**
 * POST /api/v1/bookings/{reference}/confirm with {"code": "123456"}: the code sent to the contact
 * confirms the pending hold. Documented in docs/api.md.
 */
export const POST: APIRoute = async (context) => {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const reference = parseReference(context.params.reference ?? '');
  const code = parseCodeInput(read.body.code);
  if (!code) return apiError(422, 'invalid', { fields: { code: 'six digits' } });

  const db = await getDb();
  // Every try counts per client address too, on top of the hold's own 5 tries.
  const limit = await guardLookup(db, 'booking-confirm', clientIp(context));
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  if (!reference) return apiError(404, 'not_found');

  // The hold is found by its reference inside the confirmation's own transaction (locked there).
  const outcome = await confirmHold(db, { reference }, code, { reminderAt: getConfig().reminderTime });
  if (!outcome.ok) {
    if (outcome.reason === 'wrong') return apiError(422, 'wrong_code', { triesLeft: outcome.triesLeft });
    if (outcome.reason === 'locked') return apiError(429, 'too_many_tries');
    const id = await findHoldIdByReference(db, reference);
    if (id === undefined) return apiError(404, 'not_found');
    await invalidateLiveData(context, [CACHE_TAGS.slots((await findHold(db, id))?.deskSlug ?? '')]);
    return apiError(410, 'expired');
  }
  // A confirmed hold held its place already: the slots' figures are unchanged, nothing to invalidate.
  const { booking } = outcome;
  return json({
    ...bookingToJson(booking, outcome.manageToken, booking.locale, publicOrigin()),
    status: 'confirmed',
  });
};
