// Booking a place at a desk: the public flow, the JSON API and the staff's phone booking all write
// through createBooking. Capacity is enforced by PostgreSQL: a booking increments its slot's
// counter with "booked < capacity" in the transaction that inserts it, so concurrent requests for
// the last place serialize on the counter's row lock and exactly one wins.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import type { Locale } from '#/lib/locales.ts';
import { generateReference, hashToken } from './reference.ts';
import { manageTokenFor, queueBookingSms, sendsSms } from './booking-sms.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { type CodeChannel } from '#/features/verification/codes.ts';
import { HOLD_MINUTES } from '#/features/verification/code.ts';
import { enqueueConfirmation } from './booking-messages.ts';
import { checkHoldLimits, type HoldRefusal } from './hold-limits.ts';
import { bookWithHoldCode, lapsedHoldsCtes, lapsedOfSlot, releaseHolds } from './holds.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import {
  findOfferedSlot,
  nextFreeSlots,
  placeLeftSql,
  type KnownExceptions,
  type SlotAvailability,
} from './slot-availability.ts';

/**
 * Takes one place of a slot in one statement: creates its counter with this first place, or raises
 * the existing counter while `booked < capacity`. Inside the caller's transaction; the row stays
 * locked until it ends. INSERT … ON CONFLICT DO UPDATE is atomic under concurrency: a concurrent
 * inserter waits for the other's row, and the WHERE is evaluated on the latest committed version
 * of the locked row, so two bookers of the last place cannot both pass. Undefined: the slot is full.
 * The slot's lapsed holds are released by the same statement (placeCtes), their places given back.
 */
export async function takePlace(
  trx: Db,
  desk: Desk,
  slot: { start: Date; end: Date },
  now: Date = new Date(),
): Promise<{ id: number } | undefined> {
  const { rows } = await sql<{ id: number }>`
    WITH ${placeCtes(desk, slot, now)}
    SELECT id FROM place`.execute(trx);
  return rows[0];
}

/**
 * The CTEs of takePlace: the slot's lapsed holds released (holds.ts), and `place`, the counter
 * created with this first place or raised while what is still held stays under capacity.
 */
function placeCtes(desk: Desk, slot: { start: Date; end: Date }, now: Date) {
  return sql`${lapsedHoldsCtes(lapsedOfSlot(desk.id, slot.start, now), now)},
    place AS (
      INSERT INTO booking_slot (desk_id, starts_at, ends_at, capacity, booked)
      VALUES (${desk.id}::int, ${slot.start}::timestamptz, ${slot.end}::timestamptz, ${desk.capacityPerSlot}::smallint, 1)
      ON CONFLICT (desk_id, starts_at) DO UPDATE SET booked = booking_slot.booked + 1 - (SELECT count(*) FROM lapsed)
      WHERE booking_slot.booked - (SELECT count(*) FROM lapsed) < booking_slot.capacity
      RETURNING id
    )`;
}

/**
 * takePlace and the booking row in ONE statement (a data-modifying CTE): the booking is inserted
 * only if the place was taken, and the statement is atomic, so a refused insert (a repeated
 * submission key, a drawn reference already in use) gives the place back with it. Undefined: the
 * slot is full. On its own for a booking that needs no outbox row; inside the transaction otherwise.
 */
async function placeAndBook(
  db: Db,
  input: NewBooking,
  slot: { start: Date; end: Date },
  now: Date,
  columns: { manageTokenHash: string | null },
): Promise<BookingSummary | undefined> {
  const { rows } = await sql<{ id: number; reference: string }>`
    WITH ${bookingCtes(input, slot, now, { ...columns, reference: generateReference() })}
    SELECT id, reference FROM booked`.execute(db);
  const row = rows[0];
  const { desk } = input;
  return row && { id: row.id, reference: row.reference, deskSlug: desk.slug, start: slot.start, end: slot.end };
}

/**
 * placeAndBook's CTEs: the place (placeCtes), and `booked`, the booking row inserted from it
 * (RETURNING its id and reference). A hold's booking has its id drawn beforehand (hold-limits.ts),
 * so that its code, bound to that id, is written by the same statement (holds.ts bookWithHoldCode).
 */
function bookingCtes(
  input: NewBooking,
  slot: { start: Date; end: Date },
  now: Date,
  columns: {
    manageTokenHash: string | null;
    reference: string;
    hold?: { id: number; expiresAt: Date; client: string };
  },
) {
  const { desk } = input;
  const { hold } = columns;
  // The slot's lapsed holds are released by the same statement: their places count as free.
  return sql`${placeCtes(desk, slot, now)},
    booked AS (
      INSERT INTO booking (${hold ? sql`id, ` : sql``}reference, desk_id, slot_id, starts_at, ends_at, topic, note, first_name, email, phone, locale,
                           manage_token_hash, submission_key, source, sms_wanted, status, hold_expires_at, hold_client)
      ${hold ? sql`OVERRIDING SYSTEM VALUE` : sql``}
      SELECT ${hold ? sql`${hold.id}::int, ` : sql``}${columns.reference}::text, ${desk.id}::int, place.id, ${slot.start}::timestamptz, ${slot.end}::timestamptz, ${input.topic}::text, ${input.note}::text,
             ${input.firstName}::text, ${input.email}::text, ${input.phone}::text, ${input.locale}::text, ${columns.manageTokenHash}::text,
             ${input.submissionKey}::text, ${input.source}::text, ${input.smsConfirmation !== false}::boolean,
             ${hold ? 'pending' : 'confirmed'}::text, ${hold?.expiresAt ?? null}::timestamptz, ${hold?.client ?? null}::text
        FROM place
      RETURNING id, reference
    )`;
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
  /**
   * False: no SMS for this booking, even to a mobile (staff unticked "Send the family an SMS
   * confirmation"): kept as `sms_wanted`, so no SMS later either (moved, cancelled). Emails still go.
   */
  smsConfirmation?: boolean;
}

export interface BookingSummary {
  id: number;
  reference: string;
  deskSlug: string;
  start: Date;
  end: Date;
}

export type BookingOutcome =
  | {
      ok: true;
      booking: BookingSummary;
      manageToken: string | null;
      duplicate: boolean;
      /** Set for a pending hold: until when, and where its code went. */
      hold?: { expiresAt: Date; channel: CodeChannel };
    }
  | { ok: false; reason: 'slot_full' | 'slot_unavailable'; alternatives: SlotAvailability[] }
  | { ok: false; reason: HoldRefusal; alternatives: [] };

/** The slot had no place left (thrown inside a transaction to roll it back). */
export class SlotFull extends Error {}

/** A limit of holds refused this one (thrown inside the transaction to roll it back). */
class HoldRefused extends Error {
  readonly reason: HoldRefusal;
  constructor(reason: HoldRefusal) {
    super(reason);
    this.reason = reason;
  }
}

export interface CreateBookingOptions {
  reminderAt?: string;
  /**
   * An online booking: taken as a pending hold for HOLD_MINUTES, its code sent to the contact (the
   * phone by SMS when there is one), within the limits of hold-limits.ts. `client` is the HMAC of
   * the client address. Without it (staff by phone) the booking is confirmed at once. `replaces`:
   * the hold this same person took before (from their sealed draft), given back if still pending.
   */
  hold?: { client: string; replaces?: number };
  /** The desk's closures and extra openings when the caller holds them (desk-cache.ts). */
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

  const hold = options.hold;
  // The phone the confirmation SMS goes to: none when staff unticked it.
  const smsPhone = input.smsConfirmation === false ? null : input.phone;
  // A hold gets its manage link when its code confirms it (holds.ts), not now.
  const manageToken = hold ? null : manageTokenFor({ email: input.email, phone: smsPhone });
  const holdExpiresAt = new Date(now.getTime() + HOLD_MINUTES * 60000);
  // The code goes by SMS to a mobile, otherwise by email (validate.ts asks for one of the two).
  const channel: CodeChannel = sendsSms(input.phone) ? 'sms' : 'email';
  const secret = hold ? await getServerSecret(db) : '';
  try {
    // Without an email there is no outbox row: the place and the booking row are one statement,
    // atomic on its own, instead of begin, two statements and commit.
    if (!input.email && !hold && !sendsSms(smsPhone) && !db.isTransaction) {
      const booking = await placeAndBook(db, input, slot, now, { manageTokenHash: null });
      if (!booking) throw new SlotFull();
      return { ok: true, booking, manageToken: null, duplicate: false };
    }
    const booking = await runInTransaction(db, async (trx) => {
      if (hold) {
        const { refused, bookingId } = await checkHoldLimits(
          trx,
          {
            deskId: input.desk.id,
            client: hold.client,
            phone: input.phone,
            email: input.email,
            submissionKey: input.submissionKey,
            replaces: hold.replaces ?? null,
          },
          now,
          releaseHolds,
          // A hold does more work before it reaches the counter (the code and its message): a full
          // slot is told so by the limits' own statement, before it queues on the counter's lock.
          placeLeftSql(input.desk.id, slot.start, now),
        );
        if (refused === 'slot_full') throw new SlotFull();
        if (refused) throw new HoldRefused(refused);
        // The place, the booking, its code and the code's message: one statement.
        const reference = generateReference();
        const ctes = bookingCtes(input, slot, now, {
          manageTokenHash: null,
          reference,
          hold: { id: bookingId, expiresAt: holdExpiresAt, client: hold.client },
        });
        const to = { bookingId, channel, phone: input.phone, email: input.email, locale: input.locale };
        if (!(await bookWithHoldCode(trx, to, ctes, holdExpiresAt, secret, now))) throw new SlotFull();
        return { id: bookingId, reference, deskSlug: input.desk.slug, start: slot.start, end: slot.end };
      }
      const row = await placeAndBook(trx, input, slot, now, {
        manageTokenHash: manageToken ? hashToken(manageToken) : null,
      });
      if (!row) throw new SlotFull();
      if (input.email)
        await enqueueConfirmation(
          trx,
          {
            bookingId: row.id,
            reference: row.reference,
            deskSlug: input.desk.slug,
            start: slot.start,
            end: slot.end,
            email: input.email,
            locale: input.locale,
            manageToken,
          },
          now,
          options.reminderAt,
        );
      const smsBooking = { ...row, phone: smsPhone, locale: input.locale, desk: input.desk, manageToken };
      await queueBookingSms(trx, 'booking_confirmation', { ...smsBooking, ...slot }, now, options.reminderAt);
      return { id: row.id, reference: row.reference, deskSlug: input.desk.slug, start: slot.start, end: slot.end };
    });
    if (hold)
      return { ok: true, booking, manageToken: null, duplicate: false, hold: { expiresAt: holdExpiresAt, channel } };
    return { ok: true, booking, manageToken, duplicate: false };
  } catch (error) {
    // Two submissions with the same key raced: the loser returns the winner's booking (it may have
    // lost on the slot's counter or on the key's uniqueness).
    if (
      input.submissionKey &&
      (error instanceof SlotFull ||
        error instanceof HoldRefused ||
        isUniqueViolation(error, 'booking_submission_key_key'))
    ) {
      const duplicate = await duplicateOf();
      if (duplicate) return duplicate;
    }
    if (error instanceof HoldRefused) return { ok: false, reason: error.reason, alternatives: [] };
    if (error instanceof SlotFull)
      return { ok: false, reason: 'slot_full', alternatives: await nextFreeSlots(db, input.desk, slot.start, now) };
    throw error;
  }
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
