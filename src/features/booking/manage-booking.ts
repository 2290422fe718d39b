// One booking after it was made: found by its manage link or by reference and phone, cancelled
// (its place freed at once), or moved to another slot (the new place taken before the old is freed).
import { offerDeskPlace } from '#/features/waitlist/desk-offers.ts';
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import type { Locale } from '#/lib/locales.ts';
import { hashToken } from './reference.ts';
import { queueBookingSms } from './booking-sms.ts';
import { cancelPendingMessages, enqueueMessage, reminderTime } from '#/server/mail/outbox.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { findOfferedSlot, nextFreeSlots, type SlotAvailability } from './slot-availability.ts';
import { SlotFull, takePlace } from './create-booking.ts';

export interface ManagedBooking {
  id: number;
  reference: string;
  deskId: number;
  deskSlug: string;
  start: Date;
  end: Date;
  status: string;
  topic: string | null;
  firstName: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  /** Cancelled by the desk's closure of its day, and not yet booked again nor put on the waiting list. */
  displaced: boolean;
}

function bookingQuery(db: Db) {
  return db
    .selectFrom('booking')
    .innerJoin('desk', 'desk.id', 'booking.desk_id')
    .select([
      'booking.id',
      'booking.reference',
      'booking.desk_id',
      'desk.slug',
      'booking.starts_at',
      'booking.ends_at',
      'booking.status',
      'booking.topic',
      'booking.first_name',
      'booking.email',
      'booking.phone',
      'booking.locale',
      'booking.displaced_at',
    ])
    .where('booking.erased_at', 'is', null);
}

function toManaged(r: Awaited<ReturnType<ReturnType<typeof bookingQuery>['executeTakeFirstOrThrow']>>): ManagedBooking {
  return {
    id: r.id,
    reference: r.reference,
    deskId: r.desk_id,
    deskSlug: r.slug,
    start: r.starts_at,
    end: r.ends_at,
    status: r.status,
    topic: r.topic,
    firstName: r.first_name,
    email: r.email,
    phone: r.phone,
    locale: r.locale,
    displaced: r.displaced_at !== null,
  };
}

export async function findBookingByToken(db: Db, token: string): Promise<ManagedBooking | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await bookingQuery(db).where('booking.manage_token_hash', '=', hashToken(token)).executeTakeFirst();
  return row && toManaged(row);
}

export async function findBookingByReferenceAndPhone(
  db: Db,
  reference: string,
  phone: string,
): Promise<ManagedBooking | undefined> {
  const row = await bookingQuery(db)
    .where('booking.reference', '=', reference)
    .where('booking.phone', '=', phone)
    .executeTakeFirst();
  return row && toManaged(row);
}

/**
 * Cancels a confirmed booking (or a pending hold) and frees its place at once. False if it was neither.
 *
 * `answerBySms`: the family asked by SMS (an "ANNULLA" reply), so the cancellation is answered by SMS
 * even when they wanted no SMS for the booking: a request that goes unanswered reads as not done.
 *
 * `dayClosed`: the desk closed that day (agenda/close-day.ts). A confirmed booking is marked displaced
 * and its link replaced by this fresh token (only the hash is stored, so the old one cannot be sent
 * again); the messages apologise and carry the link to choose another time or the waiting list.
 */
export async function cancelBooking(
  db: Db,
  bookingId: number,
  now: Date = new Date(),
  options: { answerBySms?: boolean; dayClosed?: { manageToken: string } } = {},
): Promise<boolean> {
  return runInTransaction(db, async (trx) => {
    const cancelled = await trx
      .updateTable('booking')
      .set({ status: 'cancelled', cancelled_at: now })
      .where('id', '=', bookingId)
      // A pending hold may be cancelled too (its place comes back at once); a lapsed one is gone already.
      .where((eb) =>
        eb.or([
          eb('status', '=', 'confirmed'),
          eb.and([eb('status', '=', 'pending'), eb('hold_expires_at', '>', now)]),
        ]),
      )
      .returning([
        'slot_id',
        'email',
        'phone',
        'locale',
        'reference',
        'starts_at',
        'ends_at',
        'desk_id',
        'hold_expires_at',
        'sms_wanted',
      ])
      .executeTakeFirst();
    if (!cancelled) return false;
    await trx
      .updateTable('booking_slot')
      .set({ booked: sql<number>`booked - 1` })
      .where('id', '=', cancelled.slot_id)
      .execute();
    // The freed place goes to the desk's waiting list first, in this transaction (issue #13).
    await offerDeskPlace(trx, cancelled.slot_id, now);
    await cancelPendingMessages(trx, bookingId, ['booking_reminder', 'verification_code']);
    // Only a booking that was confirmed is announced as cancelled; a hold never was.
    if (cancelled.hold_expires_at) {
      await trx.deleteFrom('verification_code').where('booking_id', '=', bookingId).execute();
      return true;
    }
    const closed = options.dayClosed;
    if (closed)
      await trx
        .updateTable('booking')
        .set({ displaced_at: now, manage_token_hash: hashToken(closed.manageToken) })
        .where('id', '=', bookingId)
        .execute();
    const told = closed ? { manageToken: closed.manageToken, dayClosed: true } : {};
    if (cancelled.email) {
      // The person hears that the appointment is off, with an .ics that removes it from their calendar.
      const desk = await trx
        .selectFrom('desk')
        .select('slug')
        .where('id', '=', cancelled.desk_id)
        .executeTakeFirstOrThrow();
      const payload = {
        reference: cancelled.reference,
        deskSlug: desk.slug,
        start: cancelled.starts_at.toISOString(),
        end: cancelled.ends_at.toISOString(),
        ...told,
      };
      await enqueueMessage(trx, {
        kind: 'booking_cancelled',
        recipient: cancelled.email,
        locale: cancelled.locale as Locale,
        payload,
        bookingId,
      });
    }
    const { phone, locale, reference } = cancelled;
    await queueBookingSms(
      trx,
      'booking_cancelled',
      {
        id: bookingId,
        phone,
        locale,
        reference,
        desk: { id: cancelled.desk_id },
        start: cancelled.starts_at,
        end: cancelled.ends_at,
        smsWanted: options.answerBySms || cancelled.sms_wanted,
        ...told,
      },
      now,
    );
    return true;
  });
}

/** The booking was moved, cancelled or erased meanwhile (thrown inside the transaction to roll it back). */
class NotMovable extends Error {}

/**
 * Moves a booking to another slot in ONE transaction: the booking's row is locked and read again
 * (a concurrent move or cancellation is seen, never undone), the new place is taken by the same
 * statement that enforces capacity (takePlace, as every booking), and only then is the old place
 * freed, by the slot the row names. A full slot rolls everything back: the old place is kept.
 *
 * A booking displaced by its desk's closed day (issue #15) moves the same way, once: it becomes
 * confirmed again at the new time, and no old place is freed (the closure freed it already).
 */
export async function moveBooking(
  db: Db,
  booking: ManagedBooking,
  desk: Desk,
  newStart: Date,
  now: Date = new Date(),
  options: { reminderAt?: string } = {},
): Promise<
  | { ok: true; start: Date; end: Date }
  | { ok: false; reason: 'slot_full' | 'slot_unavailable' | 'not_confirmed'; alternatives: SlotAvailability[] }
> {
  if ((booking.status !== 'confirmed' && !booking.displaced) || booking.deskId !== desk.id)
    return { ok: false, reason: 'not_confirmed', alternatives: [] };
  const slot = await findOfferedSlot(db, desk, newStart, now);
  if (!slot || slot.start.getTime() === booking.start.getTime())
    return { ok: false, reason: 'slot_unavailable', alternatives: await nextFreeSlots(db, desk, newStart, now) };
  try {
    await runInTransaction(db, async (trx) => {
      const current = await trx
        .selectFrom('booking')
        .select(['slot_id', 'starts_at', 'status'])
        .where('id', '=', booking.id)
        .where((eb) =>
          eb.or([
            eb('status', '=', 'confirmed'),
            eb.and([eb('status', '=', 'cancelled'), eb('displaced_at', 'is not', null)]),
          ]),
        )
        .where('erased_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!current || current.starts_at.getTime() === slot.start.getTime()) throw new NotMovable();
      // Both counters locked in one order (by id) before either changes: two moves crossing between
      // the same two slots wait for each other instead of deadlocking. A new slot's counter does
      // not exist yet, so nobody else holds it.
      await trx
        .selectFrom('booking_slot')
        .select('id')
        .where('desk_id', '=', desk.id)
        .where((eb) => eb.or([eb('id', '=', current.slot_id), eb('starts_at', '=', slot.start)]))
        .orderBy('id')
        .forUpdate()
        .execute();
      const taken = await takePlace(trx, desk, slot, now);
      if (!taken) throw new SlotFull();
      // The row was locked above; sms_wanted says whether the family wants the SMS.
      const displaced = current.status === 'cancelled';
      const moved = await trx
        .updateTable('booking')
        .set({
          slot_id: taken.id,
          starts_at: slot.start,
          ends_at: slot.end,
          ...(displaced ? { status: 'confirmed' as const, cancelled_at: null, displaced_at: null } : {}),
        })
        .where('id', '=', booking.id)
        .returning(['id', 'sms_wanted'])
        .executeTakeFirstOrThrow();
      if (!displaced) {
        await trx
          .updateTable('booking_slot')
          .set({ booked: sql<number>`booked - 1` })
          .where('id', '=', current.slot_id)
          .execute();
        // The place moved away from goes to the desk's waiting list (issue #13).
        await offerDeskPlace(trx, current.slot_id, now);
      }
      await cancelPendingMessages(trx, booking.id, ['booking_reminder']);
      if (booking.email) {
        const payload = {
          reference: booking.reference,
          deskSlug: desk.slug,
          start: slot.start.toISOString(),
          end: slot.end.toISOString(),
        };
        await enqueueMessage(trx, {
          kind: 'booking_moved',
          recipient: booking.email,
          locale: booking.locale as Locale,
          payload,
          bookingId: booking.id,
        });
        const remindAt = reminderTime(slot.start, options.reminderAt);
        if (remindAt.getTime() > now.getTime()) {
          await enqueueMessage(trx, {
            kind: 'booking_reminder',
            recipient: booking.email,
            locale: booking.locale as Locale,
            payload,
            bookingId: booking.id,
            sendAfter: remindAt,
          });
        }
      }
      const smsBooking = { ...booking, desk, ...slot, smsWanted: moved.sms_wanted };
      await queueBookingSms(trx, 'booking_moved', smsBooking, now, options.reminderAt);
    });
    return { ok: true, start: slot.start, end: slot.end };
  } catch (error) {
    if (error instanceof SlotFull)
      return { ok: false, reason: 'slot_full', alternatives: await nextFreeSlots(db, desk, newStart, now) };
    if (error instanceof NotMovable) return { ok: false, reason: 'not_confirmed', alternatives: [] };
    throw error;
  }
}
