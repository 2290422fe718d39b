// The booking's messages as the outbox worker asks for them: each kind's email and SMS, rendered
// from the row's payload with the desk read at send time, or withdrawn when no longer wanted (the
// booking erased, or a reminder for an appointment cancelled or moved meanwhile).
import type { Db } from '#/server/db/database.ts';
import { gatherInTurn } from '#/lib/gather.ts';
import { getCachedDesk } from './desk-cache.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { BOOKING_MESSAGE_KINDS, parseBookingPayload, renderBookingEmail, type BookingMessageKind } from './emails.ts';
import { renderBookingSms } from './sms.ts';

type BookingContext = { status: string; firstName: string | null; erased: boolean };

// The worker renders the messages of a batch side by side: their bookings are read together, in
// one statement per database handle and burst of the worker (gather.ts), not one each.
const loaders = new WeakMap<Db, (bookingId: number) => Promise<BookingContext | undefined>>();

function loadBookingContext(db: Db, bookingId: number): Promise<BookingContext | undefined> {
  let load = loaders.get(db);
  if (!load) {
    load = gatherInTurn(async (ids: number[]) => {
      const rows = await db
        .selectFrom('booking')
        .select(['id', 'status', 'first_name', 'erased_at'])
        .where('id', 'in', [...new Set(ids)])
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => {
        const row = byId.get(id);
        return row && { status: row.status, firstName: row.first_name, erased: row.erased_at !== null };
      });
    }, 'microtasks');
    loaders.set(db, load);
  }
  return load(bookingId);
}

/** The booking, the payload and its desk; undefined when the message is no longer wanted. */
async function prepare(request: RenderRequest, kind: BookingMessageKind) {
  const { db, message } = request;
  const booking = message.bookingId === null ? undefined : await loadBookingContext(db, message.bookingId);
  // A reminder for an appointment that was cancelled (or closed) meanwhile must not go out.
  const obsolete = kind === 'booking_reminder' && booking !== undefined && booking.status !== 'confirmed';
  if (booking?.erased || obsolete) return undefined;
  const payload = parseBookingPayload(message.payload);
  // The desk as the booking writes read it (desk-cache.ts: staff changes drop it; at most a minute old).
  const desk = (await getCachedDesk(db, payload.deskSlug))?.desk;
  if (!desk) throw new Error(`desk "${payload.deskSlug}" not found`);
  return { booking, payload, desk };
}

function emailRenderer(kind: BookingMessageKind) {
  return async (request: RenderRequest) => {
    const prepared = await prepare(request, kind);
    if (!prepared) return WITHDRAWN;
    return renderBookingEmail({
      kind,
      payload: prepared.payload,
      desk: prepared.desk,
      locale: request.locale,
      origin: request.origin,
      firstName: prepared.booking?.firstName ?? null,
      // Outbox ids grow, so a later change of the same booking always carries a higher SEQUENCE.
      sequence: kind === 'booking_confirmation' ? 0 : request.message.id,
      stamp: request.message.createdAt,
    });
  };
}

function smsRenderer(kind: BookingMessageKind) {
  return async (request: RenderRequest) => {
    const prepared = await prepare(request, kind);
    if (!prepared) return WITHDRAWN;
    return renderBookingSms({
      kind,
      payload: prepared.payload,
      desk: prepared.desk,
      locale: request.locale,
      origin: request.origin,
    });
  };
}

export const bookingRenderers: MessageRenderers = {
  email: Object.fromEntries(BOOKING_MESSAGE_KINDS.map((kind) => [kind, emailRenderer(kind)])),
  sms: Object.fromEntries(BOOKING_MESSAGE_KINDS.map((kind) => [kind, smsRenderer(kind)])),
};
