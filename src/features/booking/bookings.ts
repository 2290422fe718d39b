// Appointment bookings at the desks. Capacity is enforced by PostgreSQL: a booking increments its
// slot's counter with "booked < capacity" in the transaction that inserts it, so concurrent
// requests for the last place serialize on the counter's row lock and exactly one wins.
import { sql, type Insertable } from 'kysely';
import type { BookingTable, Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import type { Locale } from '#/lib/locales.ts';
import { generateSlots, addDays, type Slot, type SlotRules } from './slots.ts';
import { generateReference, hashToken } from './reference.ts';
import { manageTokenFor, queueBookingSms, sendsSms } from './booking-sms.ts';
import { romeDateString } from '#/lib/time.ts';
import { cancelPendingMessages, enqueueMessage, reminderTime } from '#/server/mail/outbox.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';

export interface SlotAvailability {
  start: Date;
  end: Date;
  capacity: number;
  remaining: number;
}

/** Closures and extra openings of a desk between two days, for slot generation. */
async function loadExceptions(db: Db, deskId: number, from: string, to: string) {
  const [closures, extra] = await Promise.all([
    db
      .selectFrom('desk_closure')
      .select('day')
      .where('desk_id', '=', deskId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute(),
    db
      .selectFrom('desk_extra_opening')
      .select(['day', 'opens', 'closes'])
      .where('desk_id', '=', deskId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute(),
  ]);
  return {
    closures: new Set(closures.map((c) => c.day)),
    extraOpenings: extra.map((e) => ({ day: e.day, opens: e.opens.slice(0, 5), closes: e.closes.slice(0, 5) })),
  };
}

function rulesFor(desk: Desk, exceptions: Pick<SlotRules, 'closures' | 'extraOpenings'>): SlotRules {
  return {
    slotMinutes: desk.slotMinutes,
    hours: desk.hours,
    minNoticeMinutes: desk.minNoticeMinutes,
    maxDaysAhead: desk.maxDaysAhead,
    ...exceptions,
  };
}

/**
 * Slots of a desk from one day to another (inclusive) with what is left of each. Three queries
 * whatever the booking history: exceptions, and the counters of the slots in the range.
 */
export async function listDeskSlots(
  db: Db,
  desk: Desk,
  from: string,
  to: string,
  now: Date = new Date(),
): Promise<SlotAvailability[]> {
  const slots = generateSlots(rulesFor(desk, await loadExceptions(db, desk.id, from, to)), from, to, now);
  if (slots.length === 0) return [];
  const counters = await db
    .selectFrom('booking_slot')
    .select(['starts_at', 'capacity', 'booked'])
    .where('desk_id', '=', desk.id)
    .where('starts_at', '>=', slots[0]!.start)
    .where('starts_at', '<=', slots.at(-1)!.start)
    .execute();
  const byStart = new Map(counters.map((c) => [c.starts_at.getTime(), c]));
  return slots.map((s) => {
    const c = byStart.get(s.start.getTime());
    const capacity = c?.capacity ?? desk.capacityPerSlot;
    return { start: s.start, end: s.end, capacity, remaining: Math.max(0, capacity - (c?.booked ?? 0)) };
  });
}

/** Closures and extra openings known without a query (write-cache.ts), or undefined to read them. */
export type KnownExceptions = (from: string, to: string) => Pick<SlotRules, 'closures' | 'extraOpenings'> | undefined;

/** The slot starting at `start`, if the desk offers it and it is inside the booking window now. */
async function findOfferedSlot(
  db: Db,
  desk: Desk,
  start: Date,
  now: Date,
  known?: KnownExceptions,
): Promise<Slot | undefined> {
  const day = romeDateString(start);
  const exceptions = known?.(day, day) ?? (await loadExceptions(db, desk.id, day, day));
  const slots = generateSlots(rulesFor(desk, exceptions), day, day, now);
  return slots.find((s) => s.start.getTime() === start.getTime());
}

/**
 * Takes one place of a slot in one statement: creates its counter with this first place, or raises
 * the existing counter while `booked < capacity`. Inside the caller's transaction; the row stays
 * locked until it ends. INSERT … ON CONFLICT DO UPDATE is atomic under concurrency: a concurrent
 * inserter waits for the other's row, and the WHERE is evaluated on the latest committed version
 * of the locked row, so two bookers of the last place cannot both pass. Undefined: the slot is full.
 */
async function takePlace(trx: Db, desk: Desk, slot: { start: Date; end: Date }): Promise<{ id: number } | undefined> {
  return trx
    .insertInto('booking_slot')
    .values({ desk_id: desk.id, starts_at: slot.start, ends_at: slot.end, capacity: desk.capacityPerSlot, booked: 1 })
    .onConflict((oc) =>
      oc
        .columns(['desk_id', 'starts_at'])
        .doUpdateSet({ booked: sql<number>`booking_slot.booked + 1` })
        .where(sql<boolean>`booking_slot.booked < booking_slot.capacity`),
    )
    .returning('id')
    .executeTakeFirst();
}

/**
 * takePlace and the booking row in ONE statement (a data-modifying CTE): the booking is inserted
 * only if the place was taken, and the statement is atomic, so a refused insert (a repeated
 * submission key, a drawn reference already in use) gives the place back with it. Undefined: the
 * slot is full. For bookings that need no outbox row (no email).
 */
async function placeAndBook(
  db: Db,
  input: NewBooking,
  slot: { start: Date; end: Date },
): Promise<BookingSummary | undefined> {
  const { desk } = input;
  const { rows } = await sql<{ id: number; reference: string }>`
    WITH place AS (
      INSERT INTO booking_slot (desk_id, starts_at, ends_at, capacity, booked)
      VALUES (${desk.id}::int, ${slot.start}::timestamptz, ${slot.end}::timestamptz, ${desk.capacityPerSlot}::smallint, 1)
      ON CONFLICT (desk_id, starts_at) DO UPDATE SET booked = booking_slot.booked + 1
      WHERE booking_slot.booked < booking_slot.capacity
      RETURNING id
    )
    INSERT INTO booking (reference, desk_id, slot_id, starts_at, ends_at, topic, note, first_name, email, phone, locale, manage_token_hash, submission_key, source)
    SELECT ${generateReference()}::text, ${desk.id}::int, place.id, ${slot.start}::timestamptz, ${slot.end}::timestamptz, ${input.topic}::text, ${input.note}::text,
           ${input.firstName}::text, ${input.email}::text, ${input.phone}::text, ${input.locale}::text, NULL, ${input.submissionKey}::text, ${input.source}::text
      FROM place
    RETURNING id, reference`.execute(db);
  const row = rows[0];
  return row && { id: row.id, reference: row.reference, deskSlug: desk.slug, start: slot.start, end: slot.end };
}

/** Up to `count` free slots from `after` on, within the next four weeks: offered when a slot is taken. */
export async function nextFreeSlots(
  db: Db,
  desk: Desk,
  after: Date,
  now: Date,
  count = 3,
): Promise<SlotAvailability[]> {
  const from = romeDateString(after);
  const slots = await listDeskSlots(db, desk, from, addDays(from, 28), now);
  return slots.filter((s) => s.remaining > 0 && s.start.getTime() > after.getTime() - 1).slice(0, count);
}

export interface NewBooking {
  desk: Desk;
  start: Date;
  firstName: string | null;
  email: string | null;
  phone: string | null;
  topic: string | null;
  note: string | null;
  locale: Locale;
  /** Same key → same booking: a form submitted twice (double click, back button) books once. */
  submissionKey: string | null;
  source: 'public' | 'api' | 'staff';
}

export interface BookingSummary {
  id: number;
  reference: string;
  deskSlug: string;
  start: Date;
  end: Date;
}

export type BookingOutcome =
  | { ok: true; booking: BookingSummary; manageToken: string | null; duplicate: boolean }
  | { ok: false; reason: 'slot_full' | 'slot_unavailable'; alternatives: SlotAvailability[] };

export { reminderTime } from '#/server/mail/outbox.ts';

class SlotFull extends Error {}

export interface CreateBookingOptions {
  reminderAt?: string;
  /** The desk's closures and extra openings when the caller holds them (write-cache.ts). */
  knownExceptions?: KnownExceptions;
}

export async function createBooking(
  db: Db,
  request: NewBooking,
  now: Date = new Date(),
  options: CreateBookingOptions = {},
): Promise<BookingOutcome> {
  // Same key from another contact: another client's booking is never returned (submission-key.ts).
  const input = { ...request, submissionKey: scopedSubmissionKey(request.submissionKey, request) };
  try {
    return await tryCreateBooking(db, input, now, options);
  } catch (error) {
    // Two new bookings drew the same reference at the same instant: try once more.
    if (isUniqueViolation(error, 'booking_reference_key')) return tryCreateBooking(db, input, now, options);
    throw error;
  }
}

// A repeated submission key is not looked up first: the booking row's UNIQUE submission_key refuses
// the second insert (rolling back its place), and only then is the first booking looked up. A
// submission that fails for another reason (slot gone or full) also looks its key up, as the
// first one may have booked before the slot left the window or filled up.
async function tryCreateBooking(
  db: Db,
  input: NewBooking,
  now: Date,
  options: CreateBookingOptions,
): Promise<BookingOutcome> {
  const duplicateOf = async (): Promise<BookingOutcome | undefined> => {
    const existing = input.submissionKey ? await findBySubmissionKey(db, input.submissionKey) : undefined;
    return existing && { ok: true, booking: existing, manageToken: null, duplicate: true };
  };
  // Inside a caller's transaction a refused insert would abort it: there, look the key up first.
  if (db.isTransaction) {
    const duplicate = await duplicateOf();
    if (duplicate) return duplicate;
  }
  const slot = await findOfferedSlot(db, input.desk, input.start, now, options.knownExceptions);
  if (!slot)
    return (
      (await duplicateOf()) ?? {
        ok: false,
        reason: 'slot_unavailable',
        alternatives: await nextFreeSlots(db, input.desk, input.start, now),
      }
    );

  const manageToken = manageTokenFor(input);
  try {
    // Without an email there is no outbox row: the place and the booking row are one statement,
    // atomic on its own, instead of begin, two statements and commit.
    if (!input.email && !sendsSms(input.phone) && !db.isTransaction) {
      const booking = await placeAndBook(db, input, slot);
      if (!booking) throw new SlotFull();
      return { ok: true, booking, manageToken: null, duplicate: false };
    }
    const booking = await runInTransaction(db, async (trx) => {
      const counter = await takePlace(trx, input.desk, slot);
      if (!counter) throw new SlotFull();
      const row = await insertWithUniqueReference(trx, {
        desk_id: input.desk.id,
        slot_id: counter.id,
        starts_at: slot.start,
        ends_at: slot.end,
        topic: input.topic,
        note: input.note,
        first_name: input.firstName,
        email: input.email,
        phone: input.phone,
        locale: input.locale,
        manage_token_hash: manageToken ? hashToken(manageToken) : null,
        submission_key: input.submissionKey,
        source: input.source,
      });
      if (input.email) {
        const payload = {
          reference: row.reference,
          deskSlug: input.desk.slug,
          start: slot.start.toISOString(),
          end: slot.end.toISOString(),
          manageToken,
        };
        await enqueueMessage(trx, {
          kind: 'booking_confirmation',
          recipient: input.email,
          locale: input.locale,
          payload,
          bookingId: row.id,
        });
        const remindAt = reminderTime(slot.start, options.reminderAt);
        if (remindAt.getTime() > now.getTime()) {
          await enqueueMessage(trx, {
            kind: 'booking_reminder',
            recipient: input.email,
            locale: input.locale,
            payload,
            bookingId: row.id,
            sendAfter: remindAt,
          });
        }
      }
      const smsBooking = { ...row, phone: input.phone, locale: input.locale, desk: input.desk, manageToken };
      await queueBookingSms(trx, 'booking_confirmation', { ...smsBooking, ...slot }, now, options.reminderAt);
      return { id: row.id, reference: row.reference, deskSlug: input.desk.slug, start: slot.start, end: slot.end };
    });
    return { ok: true, booking, manageToken, duplicate: false };
  } catch (error) {
    // Two submissions with the same key raced: the loser returns the winner's booking (it may have
    // lost on the slot's counter or on the key's uniqueness).
    if (input.submissionKey && (error instanceof SlotFull || isUniqueViolation(error, 'booking_submission_key_key'))) {
      const duplicate = await duplicateOf();
      if (duplicate) return duplicate;
    }
    if (error instanceof SlotFull)
      return { ok: false, reason: 'slot_full', alternatives: await nextFreeSlots(db, input.desk, slot.start, now) };
    throw error;
  }
}

/** A fresh reference; the rare collision (31^6 ≈ 887 million codes) fails on the UNIQUE and createBooking retries. */
function insertWithUniqueReference(trx: Db, values: Omit<Insertable<BookingTable>, 'reference'>) {
  return insertBooking(trx, { ...values, reference: generateReference() });
}

function insertBooking(trx: Db, values: Insertable<BookingTable>) {
  return trx.insertInto('booking').values(values).returning(['id', 'reference']).executeTakeFirstOrThrow();
}

async function findBySubmissionKey(db: Db, key: string): Promise<BookingSummary | undefined> {
  const row = await db
    .selectFrom('booking')
    .innerJoin('desk', 'desk.id', 'booking.desk_id')
    .select(['booking.id', 'booking.reference', 'desk.slug', 'booking.starts_at', 'booking.ends_at'])
    .where('booking.submission_key', '=', key)
    .executeTakeFirst();
  return row && { id: row.id, reference: row.reference, deskSlug: row.slug, start: row.starts_at, end: row.ends_at };
}

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

/** Cancels a confirmed booking and frees its place at once. False if it was not confirmed. */
export async function cancelBooking(db: Db, bookingId: number, now: Date = new Date()): Promise<boolean> {
  return runInTransaction(db, async (trx) => {
    const cancelled = await trx
      .updateTable('booking')
      .set({ status: 'cancelled', cancelled_at: now })
      .where('id', '=', bookingId)
      .where('status', '=', 'confirmed')
      .returning(['slot_id', 'email', 'phone', 'locale', 'reference', 'starts_at', 'ends_at', 'desk_id'])
      .executeTakeFirst();
    if (!cancelled) return false;
    await trx
      .updateTable('booking_slot')
      .set({ booked: sql<number>`booked - 1` })
      .where('id', '=', cancelled.slot_id)
      .execute();
    await cancelPendingMessages(trx, bookingId, ['booking_reminder']);
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
      },
      now,
    );
    return true;
  });
}

/**
 * Moves a booking to another slot in one transaction: the new place is taken first, and the old one
 * is freed only if that succeeded.
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
  if (booking.status !== 'confirmed') return { ok: false, reason: 'not_confirmed', alternatives: [] };
  const slot = await findOfferedSlot(db, desk, newStart, now);
  if (!slot || slot.start.getTime() === booking.start.getTime())
    return { ok: false, reason: 'slot_unavailable', alternatives: await nextFreeSlots(db, desk, newStart, now) };
  try {
    await runInTransaction(db, async (trx) => {
      const taken = await takePlace(trx, desk, slot);
      if (!taken) throw new SlotFull();
      const moved = await trx
        .updateTable('booking')
        .set({ slot_id: taken.id, starts_at: slot.start, ends_at: slot.end })
        .where('id', '=', booking.id)
        .where('status', '=', 'confirmed')
        .returning(['id'])
        .executeTakeFirst();
      if (!moved) throw new SlotFull();
      await trx
        .updateTable('booking_slot')
        .set({ booked: sql<number>`booked - 1` })
        .where('desk_id', '=', desk.id)
        .where('starts_at', '=', booking.start)
        .execute();
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
      await queueBookingSms(trx, 'booking_moved', { ...booking, desk, ...slot }, now, options.reminderAt);
    });
    return { ok: true, start: slot.start, end: slot.end };
  } catch (error) {
    if (error instanceof SlotFull)
      return { ok: false, reason: 'slot_full', alternatives: await nextFreeSlots(db, desk, newStart, now) };
    throw error;
  }
}

/**
 * Erases the personal data of bookings whose appointment ended more than `days` ago (and their
 * messages). The booking row, its time and desk stay for statistics.
 */
export async function eraseExpiredBookings(db: Db, now: Date = new Date(), days = 30): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86400000);
  return runInTransaction(db, async (trx) => {
    const erased = await trx
      .updateTable('booking')
      .set({
        first_name: null,
        email: null,
        phone: null,
        note: null,
        manage_token_hash: null,
        submission_key: null,
        erased_at: now,
      })
      .where('ends_at', '<', cutoff)
      .where('erased_at', 'is', null)
      .returning('id')
      .execute();
    if (erased.length > 0) {
      await trx
        .deleteFrom('outbox')
        .where(
          'booking_id',
          'in',
          erased.map((e) => e.id),
        )
        .execute();
    }
    return erased.length;
  });
}
