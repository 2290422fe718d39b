// What the staff do to one booking of their desk in the agenda: mark it attended or not, cancel it.
// The desk id comes from the caller, who authorized `desk.agenda` on that desk; every statement is
// scoped to it, so another desk's booking id is `not_found`, exactly as an id that does not exist.
import type { Db } from '#/server/db/database.ts';
import { cancelBooking } from '#/features/booking/manage-booking.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { getAgendaEntry } from './agenda-queries.ts';

export type BookingActionResult =
  | { ok: true; reference: string; start: Date }
  | { ok: false; reason: 'not_found' | 'not_confirmed' | 'not_started' | 'started' };

/**
 * Marks a booking as attended or not: only a confirmed booking of this desk, and only once its
 * appointment has started (nobody can have come, or not come, to one that has not). One UPDATE
 * whose WHERE holds every rule, so two operators pressing at once mark it once. The place stays
 * taken either way: the slot's counter does not change.
 */
export async function markAttendance(
  db: Db,
  bookingId: number,
  deskId: number,
  status: 'attended' | 'no_show',
  now: Date = new Date(),
): Promise<BookingActionResult> {
  if (status !== 'attended' && status !== 'no_show')
    throw new RangeError(`not an attendance status: ${String(status)}`);
  if (Number.isSafeInteger(bookingId) && bookingId > 0) {
    const marked = await db
      .updateTable('booking')
      .set({ status })
      .where('id', '=', bookingId)
      .where('desk_id', '=', deskId)
      .where('status', '=', 'confirmed')
      .where('starts_at', '<=', now)
      .where('erased_at', 'is', null)
      .returning(['reference', 'starts_at'])
      .executeTakeFirst();
    if (marked) return { ok: true, reference: marked.reference, start: marked.starts_at };
  }
  const entry = await getAgendaEntry(db, deskId, bookingId);
  if (!entry) return { ok: false, reason: 'not_found' };
  if (entry.status !== 'confirmed') return { ok: false, reason: 'not_confirmed' };
  return { ok: false, reason: 'not_started' };
}

/**
 * Cancels a confirmed booking of this desk whose appointment has not started yet (after that it is
 * attended or not, not cancelled), frees its place at once and tells the family if they left an
 * email (cancelBooking). Recorded in the audit log (the reference only, no personal data).
 */
export async function cancelDeskBooking(
  db: Db,
  bookingId: number,
  deskId: number,
  options: { actorUserId: number; now?: Date },
): Promise<BookingActionResult> {
  const now = options.now ?? new Date();
  const entry = await getAgendaEntry(db, deskId, bookingId);
  if (!entry) return { ok: false, reason: 'not_found' };
  if (entry.status !== 'confirmed') return { ok: false, reason: 'not_confirmed' };
  if (entry.start.getTime() <= now.getTime()) return { ok: false, reason: 'started' };
  // cancelBooking's own WHERE status = 'confirmed' settles a race with another cancel or a mark.
  if (!(await cancelBooking(db, entry.id, now))) return { ok: false, reason: 'not_confirmed' };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'booking.cancelled_by_staff',
    subject: `booking:${entry.id}`,
    detail: { desk: deskId, reference: entry.reference },
  });
  return { ok: true, reference: entry.reference, start: entry.start };
}
