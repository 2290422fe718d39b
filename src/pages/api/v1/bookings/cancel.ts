import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import {
  cancelBooking,
  findBookingByReferenceAndPhone,
  findBookingByToken,
  type ManagedBooking,
} from '#/features/booking/manage-booking.ts';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import type { Db } from '#/server/db/database.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { parseCancelRequest, type CancelRequest } from '#/features/booking/booking-request.ts';

function findBooking(db: Db, request: CancelRequest): Promise<ManagedBooking | undefined> {
  if (request.kind === 'token') return findBookingByToken(db, request.token);
  if (!request.reference || !request.phone) return Promise.resolve(undefined);
  return findBookingByReferenceAndPhone(db, request.reference, request.phone);
}

/** POST /api/v1/bookings/cancel with {reference, phone} or {token}. Documented in docs/api.md. */
export const POST: APIRoute = async (context) => {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const request = parseCancelRequest(read.body);
  if (!request) return apiError(400, 'invalid_request', { message: 'send {"reference", "phone"} or {"token"}' });

  const db = await getDb();
  // Every lookup counts, malformed or not, so guessing references stays slow.
  const limit = await guardLookup(db, 'booking', clientIp(context));
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);

  // One answer for "no such reference" and "wrong phone": the API confirms nothing it was not shown.
  const booking = await findBooking(db, request);
  if (!booking) return apiError(404, 'not_found');
  // An appointment that is over cannot be cancelled, as on the pages: it would free a place in the
  // past and rewrite the desk's record of who came.
  if (booking.status === 'confirmed' && booking.end.getTime() <= Date.now())
    return apiError(409, 'not_cancellable', { status: 'past' });
  if (booking.status !== 'cancelled' && !(await cancelBooking(db, booking.id))) {
    // Cancelled meanwhile by a concurrent request is still a success; attended or no-show is not.
    const current = await findBooking(db, request);
    if (current?.status !== 'cancelled')
      return apiError(409, 'not_cancellable', { status: current?.status ?? booking.status });
  }
  await invalidateLiveData(context, [CACHE_TAGS.slots(booking.deskSlug)]);
  return json({ reference: booking.reference, status: 'cancelled' });
};
