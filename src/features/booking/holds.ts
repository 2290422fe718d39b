// Pending holds (issue #12): an online booking takes its place at once, as a hold that its
// contact's code confirms within HOLD_MINUTES. A lapsed hold is free again: read as free at once
// (slot-availability.ts counts it out), and released for good — its place given back, its personal
// data and code dropped — by the next booking of its slot, by the same browser booking again
// (hold-limits.ts), or by the worker's housekeeping, whichever comes first. Each release is one
// statement whose first step flips the holds from 'pending', so a hold is released (and its place
// given back) only once. The engine is src/features/holds (issue #11): this is booking's kind
// (BOOKING_HOLD), what its release gives back, and its confirmation, which counts the try in the
// statement that reads the hold.
import { resendHeldCode, type ResendOptions } from '#/features/holds/resend-hold-code.ts';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { issueCodeAlongside, judgeTry, type CodeChannel } from '#/features/verification/codes.ts';
import { heldGate } from '#/features/holds/held-code-check.ts';
import { holdLapsed as lapsedOf, type ConfirmOutcome, type HoldKind } from '#/features/holds/hold-kind.ts';
import { lapsedCtes, named, pastTime } from '#/features/holds/lapse.ts';
import { confirmWithMessages } from '#/features/holds/confirm-hold.ts';
import { CODE_COLUMNS, heldCodeView, heldIdByReference, type HeldCodeView } from '#/features/holds/held-view.ts';
import { queueCode } from '#/features/verification/send-code.ts';
import { HOLD_MINUTES, MAX_ATTEMPTS } from '#/features/verification/code.ts';
import { enqueueConfirmation } from './booking-messages.ts';
import { hashToken } from './reference.ts';
import { offerDeskPlace } from '#/features/waitlist/desk-offers.ts';
import { manageTokenFor, queueBookingSms } from './booking-sms.ts';
import type { BookingSummary } from './create-booking.ts';

/** A booking's hold (holds/hold-kind.ts): a lapse drops its personal data, keys and note. */
export const BOOKING_HOLD: HoldKind<{ bookingId: number }> = {
  table: 'booking',
  states: { confirmed: 'confirmed', lapsed: 'expired' },
  subject: (bookingId) => ({ bookingId }),
  minutes: () => HOLD_MINUTES,
  erase: (now) => sql`first_name = NULL, email = NULL, phone = NULL, note = NULL,
             manage_token_hash = NULL, submission_key = NULL, hold_client = NULL, erased_at = ${now}::timestamptz`,
};

/**
 * The CTEs that flip holds from 'pending' to 'expired' (their personal data, code and messages
 * dropped): `lapsed` returns their id and slot_id, for the statement to give their places back.
 */
export const lapsedHoldsCtes = (which: RawBuilder<unknown>, now: Date) =>
  lapsedCtes(BOOKING_HOLD, which, now, ['id', 'slot_id']);

/** Releases the holds `which` names; returns how many, and the slots whose places came back. */
async function release(db: Db, which: RawBuilder<unknown>, now: Date): Promise<{ released: number; slots: number[] }> {
  const { rows } = await sql<{ released: number; slots: number[] | null }>`
    WITH ${lapsedHoldsCtes(which, now)},
    freed AS (
      UPDATE booking_slot SET booked = booking_slot.booked - l.n
        FROM (SELECT slot_id, count(*)::int AS n FROM lapsed GROUP BY slot_id) AS l
       WHERE booking_slot.id = l.slot_id
      RETURNING booking_slot.id
    )
    SELECT (SELECT count(*)::int FROM lapsed) AS released, (SELECT array_agg(id ORDER BY id) FROM freed) AS slots`.execute(
    db,
  );
  return { released: rows[0]?.released ?? 0, slots: rows[0]?.slots ?? [] };
}

/** Which holds are the lapsed ones of a slot. */
export const lapsedOfSlot = (deskId: number, start: Date, now: Date) =>
  sql`desk_id = ${deskId}::int AND starts_at = ${start}::timestamptz AND hold_expires_at <= ${now}::timestamptz`;

/**
 * Every lapsed hold of the site (the worker's housekeeping). The places that come back are offered
 * to the desks' waiting families in turn (issue #13), in the same transaction, as a cancelled
 * appointment's are (manage-booking.ts): a place never lies free while a family waits for it.
 */
export function releaseLapsedHolds(db: Db, now: Date = new Date()): Promise<number> {
  return runInTransaction(db, async (trx) => {
    const { released, slots } = await release(trx, pastTime(now), now);
    for (const slot of slots) await offerDeskPlace(trx, slot, now);
    return released;
  });
}

/** The lapsed holds of one slot, before a booking takes a place in it. */
export async function releaseLapsedHoldsOfSlot(db: Db, deskId: number, start: Date, now: Date): Promise<number> {
  return (await release(db, lapsedOfSlot(deskId, start, now), now)).released;
}

/** Named holds, lapsed or not (the hold a browser took before, given back when it books again). */
export async function releaseHolds(db: Db, ids: number[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  return (await release(db, named(ids), now)).released;
}

/** A hold as the code step shows it: where the code went, nothing else personal. */
export interface HoldView extends HeldCodeView {
  id: number;
  reference: string;
  deskSlug: string;
  start: Date;
  end: Date;
  locale: Locale;
}

export async function findHold(db: Db, bookingId: number): Promise<HoldView | undefined> {
  const row = await db
    .selectFrom('booking')
    .innerJoin('desk', 'desk.id', 'booking.desk_id')
    .leftJoin('verification_code as v', 'v.booking_id', 'booking.id')
    .select(['booking.id', 'booking.reference', 'desk.slug', 'booking.starts_at', 'booking.ends_at'])
    .select(['booking.status', 'booking.hold_expires_at', 'booking.phone', 'booking.email', 'booking.locale'])
    .select(CODE_COLUMNS)
    .where('booking.id', '=', bookingId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      reference: row.reference,
      deskSlug: row.slug,
      start: row.starts_at,
      end: row.ends_at,
      ...heldCodeView(row),
      locale: row.locale as Locale,
    }
  );
}

export const findHoldIdByReference = (db: Db, reference: string) => heldIdByReference(db, BOOKING_HOLD, reference);

/** A lapsed hold, even one housekeeping has not released yet. */
export function holdLapsed(hold: Pick<HoldView, 'status' | 'expiresAt'>, now: Date): boolean {
  return lapsedOf(BOOKING_HOLD, hold, now);
}

/** A hold as its confirmation reads it, with the try its statement counted (none: code_hash null). */
interface HeldForConfirmation {
  id: number;
  status: string;
  hold_expires_at: Date | null;
  reference: string;
  slug: string;
  starts_at: Date;
  ends_at: Date;
  email: string | null;
  phone: string | null;
  locale: string;
  code_hash: string | null;
  attempts: number | null;
}

export type ConfirmHoldOutcome = ConfirmOutcome<{
  ok: true;
  bookingId: number;
  manageToken: string | null;
  alreadyConfirmed: boolean;
  /** What the API answers with, as the confirmation read it (no second read). */
  booking: BookingSummary & { locale: Locale };
}>;

/**
 * The code typed for a hold: right → the booking is confirmed and only now are its confirmation
 * and reminder queued (with a fresh manage link when there is an email). The hold's row is locked
 * first, so a confirmation and a release of the same hold never both happen.
 */
export async function confirmHold(
  db: Db,
  which: number | { reference: string },
  code: string | undefined,
  options: { now?: Date; reminderAt?: string } = {},
): Promise<ConfirmHoldOutcome> {
  const now = options.now ?? new Date();
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    // The hold read and locked, and the try counted while it is pending and within its time, by
    // ONE statement (the write path of every confirmation): the locking read runs first, as the
    // counting UPDATE needs its id, and a lock waited for gives the row as its holder left it.
    const { rows } = await sql<HeldForConfirmation>`
      WITH held AS (
        SELECT booking.id, booking.status, booking.hold_expires_at, booking.reference, desk.slug,
               booking.starts_at, booking.ends_at, booking.email, booking.phone, booking.locale
          FROM booking JOIN desk ON desk.id = booking.desk_id
         WHERE ${typeof which === 'number' ? sql`booking.id = ${which}::int` : sql`booking.reference = ${which.reference}::text`}
           FOR UPDATE OF booking
      ),
      tried AS (
        UPDATE verification_code SET attempts = attempts + 1
         WHERE booking_id = (SELECT id FROM held WHERE status = 'pending' AND hold_expires_at > ${now}::timestamptz)
           AND expires_at > ${now}::timestamptz AND attempts < ${MAX_ATTEMPTS}::int
        RETURNING code_hash, attempts
      )
      SELECT held.*, tried.code_hash, tried.attempts FROM held LEFT JOIN tried ON true`.execute(trx);
    const hold = rows[0];
    if (!hold) return { ok: false, reason: 'gone' };
    const bookingId = hold.id;
    const refused = heldGate(hold, BOOKING_HOLD.states, now);
    if (refused) return refused;
    const booking = {
      id: bookingId,
      reference: hold.reference,
      deskSlug: hold.slug,
      start: hold.starts_at,
      end: hold.ends_at,
      locale: hold.locale as Locale,
    };
    if (hold.status === BOOKING_HOLD.states.confirmed)
      return { ok: true, bookingId, manageToken: null, alreadyConfirmed: true, booking };
    const counted = hold.code_hash === null ? undefined : { code_hash: hold.code_hash, attempts: hold.attempts ?? 0 };
    // The code is spent by the confirming statement below.
    const checked = await judgeTry(trx, { bookingId }, counted, code, secret, now, { spentByCaller: true });
    if (!checked.ok) return checked;
    // A mobile gets the short token its SMS link carries (booking-sms.ts), an email the long one.
    const manageToken = manageTokenFor(hold);
    // Confirmed, the code spent (single use) and its message (its work done) gone: one statement, on
    // the write path of every confirmation, which also queues the SMS confirmation when there is one.
    const tokenHash = manageToken ? hashToken(manageToken) : null;
    const set = sql`hold_client = NULL, manage_token_hash = ${tokenHash}::text`;
    if (hold.email)
      await enqueueConfirmation(
        trx,
        {
          bookingId,
          reference: hold.reference,
          deskSlug: hold.slug,
          start: hold.starts_at,
          end: hold.ends_at,
          email: hold.email,
          locale: hold.locale as Locale,
          manageToken,
        },
        now,
        options.reminderAt,
      );
    const { phone, locale, reference, starts_at: start, ends_at: end } = hold;
    const sms = { id: bookingId, phone, locale, reference, desk: { slug: hold.slug }, manageToken, start, end };
    await confirmWithMessages(trx, BOOKING_HOLD, bookingId, set, (confirming) =>
      queueBookingSms(trx, 'booking_confirmation', sms, now, options.reminderAt, confirming),
    );
    return { ok: true, bookingId, manageToken, alreadyConfirmed: false, booking };
  });
}

/**
 * A new hold's first code: its hash stored and its message queued to the contact (phone → SMS,
 * email → email) by ONE statement, with `booking`'s CTEs (create-booking.ts: the place taken and
 * the booking row, named `booked`), the code and its message written only if `booked` has its row.
 * The code is sealed in the payload (encrypted at rest, read by the renderer at send time): whoever
 * reads the table or a dump of it never sees a code that still works. The worker drops it once sent.
 * False: the booking was not written (its slot is full), nor anything else.
 */
export async function bookWithHoldCode(
  trx: Db,
  hold: { bookingId: number; channel: CodeChannel; phone: string | null; email: string | null; locale: Locale },
  booking: RawBuilder<unknown>,
  expiresAt: Date,
  secret: string,
  now: Date,
): Promise<boolean> {
  const { bookingId, ...to } = hold;
  const booked = sql<boolean>`EXISTS (SELECT 1 FROM booked)`;
  const { code, store } = issueCodeAlongside({ bookingId, channel: hold.channel, expiresAt }, secret, now, booked);
  const written = await queueCode(
    trx,
    { bookingId },
    to,
    code,
    { expiresAt, minutes: HOLD_MINUTES },
    { alongside: sql`${booking}, ${store}`, onlyIf: booked },
  );
  return written > 0;
}

/**
 * "Send again", or "use email instead" (`email`: the address given, or one added now, which the
 * booking then keeps for its confirmation): a new code, the old one stops working.
 */
export const resendHoldCode = (db: Db, bookingId: number, options?: ResendOptions) =>
  resendHeldCode(db, BOOKING_HOLD, bookingId, options);
