// Signing a family up for an event's seats (issue #13): the HTML form and the JSON API both write
// through registerParty. All seats of a party or none: the statement that raises the event's
// seats_taken does so only while `seats_taken + party <= seats`, so concurrent sign-ups serialize
// on the event's row and never give a seat twice. A sign-up is a pending hold (its seats taken)
// until the 6-digit code sent to its contact confirms it (verification/codes.ts, as bookings do);
// a hold not confirmed in HOLD_MINUTES gives its seats back (lapsed-registrations.ts).
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { sql } from 'kysely';
import { runInTransaction, isUniqueViolation } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import { issueCodeAlongside, type CodeChannel } from '#/features/verification/codes.ts';
import { HOLD_MINUTES } from '#/features/verification/code.ts';
import { generateReference } from '#/features/booking/reference.ts';
import { smsRecipientOf, type QueuedAlongside } from '#/server/mail/outbox.ts';
import { partyColumns, partySeats, type Party } from './party.ts';
import { checkSignUpLimits, type RegistrationRefusal } from './registration-limits.ts';
import { lapsedHoldsCtes } from './lapsed-registrations.ts';
import { seatsOf, type Seats } from './event-seats.ts';
import { queueCode } from '#/features/verification/send-code.ts';
import { hasWaitingList, settleEventList } from '#/features/waitlist/event-offers.ts';

export interface RegistrationSummary {
  id: number;
  reference: string;
  seats: number;
}

export type RegisterOutcome =
  | {
      ok: true;
      registration: RegistrationSummary;
      hold: { expiresAt: Date; channel: CodeChannel };
      duplicate: boolean;
    }
  /**
   * not_open: no seats to sign up for, or started; cancelled: the event (or this date of a recurring
   * activity) was cancelled; full: the whole party does not fit.
   */
  | { ok: false; reason: SignUpRefusal };

export type SignUpRefusal = 'not_open' | 'cancelled' | 'full' | RegistrationRefusal;

/**
 * The message of a refused sign-up, for the form's notice and the API's message. A full event's
 * points to its waiting list; a cancelled date of a recurring activity to its other dates.
 */
export function signUpRefusalKey(reason: SignUpRefusal, repeats: boolean): string {
  if (reason === 'full') return 'waitlist.signUpFull';
  if (reason === 'cancelled')
    return repeats ? 'events.register.refused.cancelledDate' : 'events.register.refused.cancelled';
  return `events.register.refused.${reason}`;
}

class Refused extends Error {
  readonly reason: SignUpRefusal;
  constructor(reason: SignUpRefusal) {
    super(reason);
    this.reason = reason;
  }
}

export interface RegisterOptions {
  /** HMAC of the client address (limitKey). */
  client: string;
  /** Same key → same sign-up (a form sent twice). */
  submissionKey?: string | null;
  now?: Date;
  /**
   * The event as this request read it a moment ago (readSignUpEvent, sign-up-event.ts): its seats
   * left and whether families wait on its list, so they are not read again.
   */
  event?: { seats: Seats | null; waiting: boolean; lapsedSeats: number };
}

/**
 * Takes the party's seats of the event in one statement, or none. False: they do not fit (or the
 * event takes no sign-ups now). Inside the caller's transaction: the event's row stays locked until
 * it ends, and a concurrent sign-up's UPDATE re-reads the committed counter before it decides.
 */
export async function takeSeats(trx: Db, eventId: number, seats: number, now: Date): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    UPDATE event SET seats_taken = seats_taken + ${seats}::int
     WHERE id = ${eventId}::int AND status = 'published' AND starts_at > ${now}::timestamptz
       AND seats IS NOT NULL AND seats_taken + ${seats}::int <= seats
    RETURNING id`.execute(trx);
  return rows.length > 0;
}

/**
 * takeSeats with the event's lapsed holds released first, in one statement that updates the
 * event's row once: the seats the lapsed holds give back and the party's, or none of them. False:
 * the party does not fit, and the caller MUST roll back (the lapsed holds were flipped all the same).
 * Under concurrent sign-ups the holds flipped here are this statement's alone (another one waits on
 * their rows, then finds them no longer pending), and the event's row is re-read once locked.
 */
async function releaseAndTakeSeats(trx: Db, eventId: number, seats: number, now: Date): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    WITH ${lapsedHoldsCtes(now, eventId)},
    freed AS (SELECT coalesce(sum(seats), 0)::int AS n FROM lapsed)
    UPDATE event SET seats_taken = event.seats_taken - freed.n + ${seats}::int
      FROM freed
     WHERE event.id = ${eventId}::int AND event.status = 'published' AND event.starts_at > ${now}::timestamptz
       AND event.seats IS NOT NULL AND event.seats_taken - freed.n + ${seats}::int <= event.seats
    RETURNING event.id`.execute(trx);
  return rows.length > 0;
}

export async function registerParty(
  db: Db,
  eventId: number,
  party: Party,
  options: RegisterOptions,
): Promise<RegisterOutcome> {
  const now = options.now ?? new Date();
  const submissionKey = scopedSubmissionKey(options.submissionKey ?? null, party);
  const duplicate = async (): Promise<RegisterOutcome | undefined> => {
    if (!submissionKey) return undefined;
    const row = await db
      .selectFrom('event_registration as r')
      .leftJoin('verification_code as v', 'v.registration_id', 'r.id')
      .select(['r.id', 'r.reference', 'r.seats', 'r.hold_expires_at', 'v.channel'])
      .where('r.submission_key', '=', submissionKey)
      .where('r.event_id', '=', eventId)
      .executeTakeFirst();
    return (
      row && {
        ok: true,
        registration: { id: row.id, reference: row.reference, seats: row.seats },
        hold: { expiresAt: row.hold_expires_at ?? now, channel: row.channel ?? (party.phone ? 'sms' : 'email') },
        duplicate: true,
      }
    );
  };
  const seats = partySeats(party);
  const expiresAt = new Date(now.getTime() + HOLD_MINUTES * 60000);
  const channel: CodeChannel = party.phone && smsRecipientOf(party.phone) ? 'sms' : 'email';
  // Seats freed by lapsed holds or offers go to the waiting families first (issue #13).
  const waiting = options.event ? options.event.waiting : await hasWaitingList(db, eventId);
  if (waiting) await settleEventList(db, eventId, now);
  // Told at once when the party cannot fit (most of a rush, once the event is full): no transaction.
  // The seats read with the event serve unless the list was just settled (it may have taken some).
  const left = options.event && !waiting ? options.event.seats : await seatsLeftNow(db, eventId, now);
  if (!left || left.left < seats) return (await duplicate()) ?? { ok: false, reason: await whyNot(db, eventId, now) };
  const secret = await getServerSecret(db);
  const attempt = () =>
    runInTransaction(db, async (trx) => {
      // The sign-up's id is drawn with the locks, so that its row, its code (bound to that id) and
      // the code's message are written by one statement.
      const { refused, registrationId: id } = await checkSignUpLimits(
        trx,
        { eventId, client: options.client, phone: party.phone, email: party.email },
        now,
      );
      if (refused) throw new Refused(refused);
      const row = { id, reference: generateReference('QE') };
      const signedUp = trx.insertInto('event_registration').values({
        id,
        reference: row.reference,
        event_id: eventId,
        ...partyColumns(party),
        status: 'pending',
        hold_expires_at: expiresAt,
        hold_client: options.client,
        submission_key: submissionKey,
      });
      const { code, store } = issueCodeAlongside({ registrationId: id, channel, expiresAt }, secret, now);
      await sendRegistrationCode(trx, { id, channel, ...party }, code, expiresAt, {
        alongside: sql`signed_up AS (${signedUp}), ${store}`,
      });
      // The seats last, so that the event's row stays locked only for the commit: lapsed holds give
      // theirs back and the party's are taken in the same statement, or the whole sign-up is
      // rolled back (the throw). When the event had no lapsed hold a moment ago, the party's seats
      // are tried alone first (a plain update, a fraction of the releasing one's cost); a hold that
      // lapsed meanwhile is released when they do not fit, and otherwise by the next one.
      const took =
        (options.event?.lapsedSeats === 0 && !waiting && (await takeSeats(trx, eventId, seats, now))) ||
        (await releaseAndTakeSeats(trx, eventId, seats, now));
      if (!took) throw new Refused(await whyNot(trx, eventId, now));
      return { id: row.id, reference: row.reference, seats };
    });
  try {
    let registration: RegistrationSummary;
    try {
      registration = await attempt();
    } catch (error) {
      // Two sign-ups drew the same reference at the same instant: once more.
      if (!isUniqueViolation(error, 'event_registration_reference_key')) throw error;
      registration = await attempt();
    }
    return { ok: true, registration, hold: { expiresAt, channel }, duplicate: false };
  } catch (error) {
    if (error instanceof Refused || isUniqueViolation(error, 'event_registration_submission_key_key')) {
      const earlier = await duplicate();
      if (earlier) return earlier;
    }
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** The event's seats left, counting lapsed holds as free (the write decides for good). */
async function seatsLeftNow(db: Db, eventId: number, now: Date): Promise<Seats | null | undefined> {
  const event = await db
    .selectFrom('event')
    .select(['id', 'seats', 'seats_taken'])
    .where('id', '=', eventId)
    .executeTakeFirst();
  return event && (await seatsOf(db, [event], now)).get(eventId);
}

/** Why the seats were not taken: cancelled, the event takes no sign-ups (now), or the party does not fit. */
async function whyNot(trx: Db, eventId: number, now: Date): Promise<'not_open' | 'cancelled' | 'full'> {
  const event = await trx
    .selectFrom('event')
    .select(['status', 'starts_at', 'seats'])
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (event?.status === 'cancelled') return 'cancelled';
  if (!event || event.status !== 'published' || event.seats === null || event.starts_at <= now) return 'not_open';
  return 'full';
}

/**
 * Queues a sign-up's code to its contact (a mobile by SMS, else the email); `alongside`: writes
 * made by the same statement (the sign-up's row and its code's: registerParty).
 */
export async function sendRegistrationCode(
  trx: Db,
  r: { id: number; channel: CodeChannel; phone: string | null; email: string | null; locale: Locale },
  code: string,
  expiresAt: Date,
  alongside: QueuedAlongside = {},
): Promise<void> {
  const to = { channel: r.channel, phone: smsRecipientOf(r.phone) ?? null, email: r.email, locale: r.locale };
  await queueCode(trx, { registrationId: r.id }, to, code, { expiresAt, minutes: HOLD_MINUTES }, alongside);
}
