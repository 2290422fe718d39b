// A sign-up after its seats were taken (issue #13): the code step confirms it, and the "we can't
// come" link frees its seats at once. Both lock the registration's row first, so a confirmation, a
// cancellation and a release of the same hold never both happen. The engine is src/features/holds
// (issue #11): this is the sign-up's kind (REGISTRATION_HOLD) and what its confirmation queues.
import { resendHeldCode, type ResendOptions } from '#/features/holds/resend-hold-code.ts';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { holdLapsed, type ConfirmOutcome, type HoldKind } from '#/features/holds/hold-kind.ts';
import { confirmWithMessages } from '#/features/holds/confirm-hold.ts';
import { heldGate } from '#/features/holds/held-code-check.ts';
import { judgeTry } from '#/features/verification/codes.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { CODE_COLUMNS, heldCodeView, type HeldCodeView } from '#/features/holds/held-view.ts';
import { HOLD_MINUTES, MAX_ATTEMPTS } from '#/features/verification/code.ts';
import { manageTokenFor } from '#/features/booking/booking-sms.ts';
import { hashToken } from '#/features/booking/reference.ts';
import { offerEventSeats } from '#/features/waitlist/event-offers.ts';
import { cancelPendingMessagesOf, enqueueMessages, reminderTime, smsRecipientOf } from '#/server/mail/outbox.ts';

/** An event sign-up's hold (holds/hold-kind.ts): a lapse drops its personal data and keys. */
export const REGISTRATION_HOLD: HoldKind<{ registrationId: number }> = {
  table: 'event_registration',
  states: { confirmed: 'confirmed', lapsed: 'expired' },
  subject: (registrationId) => ({ registrationId }),
  minutes: () => HOLD_MINUTES,
  erase: () => sql`name = NULL, phone = NULL, email = NULL, hold_client = NULL, submission_key = NULL`,
};

export interface RegistrationView extends HeldCodeView {
  id: number;
  reference: string;
  eventId: number;
  eventSlug: string;
  seats: number;
  locale: Locale;
}

function registrationQuery(db: Db) {
  return db
    .selectFrom('event_registration as r')
    .innerJoin('event as e', 'e.id', 'r.event_id')
    .leftJoin('verification_code as v', 'v.registration_id', 'r.id')
    .select(['r.id', 'r.reference', 'r.event_id', 'e.slug', 'r.seats'])
    .select(['r.status', 'r.hold_expires_at', 'r.phone', 'r.email', 'r.locale'])
    .select(CODE_COLUMNS);
}

function viewOf(row: Awaited<ReturnType<ReturnType<typeof registrationQuery>['executeTakeFirst']>>) {
  return (
    row && {
      id: row.id,
      reference: row.reference,
      eventId: row.event_id,
      eventSlug: row.slug,
      seats: row.seats,
      ...heldCodeView(row),
      locale: row.locale as Locale,
    }
  );
}

export async function findRegistration(db: Db, id: number): Promise<RegistrationView | undefined> {
  return viewOf(await registrationQuery(db).where('r.id', '=', id).executeTakeFirst());
}

/** A lapsed hold, even one not released yet. */
export function registrationLapsed(r: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return holdLapsed(REGISTRATION_HOLD, r, now);
}

type RegistrationConfirmed = {
  ok: true;
  id: number;
  cancelToken: string | null;
  alreadyConfirmed: boolean;
  /** What the API answers with, as the confirmation read it (no second read). */
  registration: { reference: string; eventSlug: string; seats: number };
};
export type ConfirmRegistrationOutcome = ConfirmOutcome<RegistrationConfirmed>;

/** A sign-up as its confirmation reads it, with the try its statement counted (none: code_hash null). */
interface HeldForConfirmation {
  id: number;
  status: string;
  hold_expires_at: Date | null;
  reference: string;
  phone: string | null;
  email: string | null;
  locale: string;
  seats: number;
  slug: string;
  starts_at: Date;
  code_hash: string | null;
  attempts: number | null;
}

/**
 * The code typed for a sign-up (by its id, or by its reference and its event's slug: the API's
 * confirm call): right → confirmed, and only now are its confirmation and the day-before reminder
 * queued (SMS to a mobile, else email), each with the "we can't come" link. The sign-up's row is
 * locked first, so a confirmation, a cancellation and a release of the same hold never both happen.
 */
export async function confirmRegistration(
  db: Db,
  which: number | { reference: string; eventSlug: string },
  code: string | undefined,
  options: { now?: Date; reminderAt?: string } = {},
): Promise<ConfirmRegistrationOutcome> {
  const now = options.now ?? new Date();
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    // The sign-up read and locked, and the try counted while it is pending and within its time,
    // by ONE statement (as a booking's confirmation: booking/holds.ts): the locking read runs
    // first, as the counting UPDATE needs its id, and a lock waited for gives the row as its
    // holder left it.
    const { rows } = await sql<HeldForConfirmation>`
      WITH held AS (
        SELECT r.id, r.status, r.hold_expires_at, r.reference, r.phone, r.email, r.locale, r.seats,
               e.slug, e.starts_at
          FROM event_registration AS r JOIN event AS e ON e.id = r.event_id
         WHERE ${
           typeof which === 'number'
             ? sql`r.id = ${which}::int`
             : sql`r.reference = ${which.reference}::text AND e.slug = ${which.eventSlug}::text`
         }
           FOR UPDATE OF r
      ),
      tried AS (
        UPDATE verification_code SET attempts = attempts + 1
         WHERE registration_id = (SELECT id FROM held WHERE status = 'pending' AND hold_expires_at > ${now}::timestamptz)
           AND expires_at > ${now}::timestamptz AND attempts < ${MAX_ATTEMPTS}::int
        RETURNING code_hash, attempts
      )
      SELECT held.*, tried.code_hash, tried.attempts FROM held LEFT JOIN tried ON true`.execute(trx);
    const held = rows[0];
    if (!held) return { ok: false, reason: 'gone' };
    const { id } = held;
    const refused = heldGate(held, REGISTRATION_HOLD.states, now);
    if (refused) return refused;
    const registration = { reference: held.reference, eventSlug: held.slug, seats: held.seats };
    if (held.status === REGISTRATION_HOLD.states.confirmed)
      return { ok: true, id, cancelToken: null, alreadyConfirmed: true, registration };
    const counted = held.code_hash === null ? undefined : { code_hash: held.code_hash, attempts: held.attempts ?? 0 };
    // The code is spent by the confirming statement below.
    const checked = await judgeTry(trx, { registrationId: id }, counted, code, secret, now, { spentByCaller: true });
    if (!checked.ok) return checked;
    const cancelToken = manageTokenFor(held);
    const tokenHash = cancelToken ? hashToken(cancelToken) : null;
    const set = sql`hold_client = NULL, cancel_token_hash = ${tokenHash}::text`;
    // Confirmed, the code spent and its message gone, by the statement that queues the
    // confirmation and its reminder: one round trip for both.
    await confirmWithMessages(trx, REGISTRATION_HOLD, id, set, (confirming) =>
      queueRegistrationConfirmation(trx, { ...held, cancelToken }, now, options.reminderAt, confirming),
    );
    return { ok: true, id, cancelToken, alreadyConfirmed: false, registration };
  });
}

/**
 * A confirmed sign-up's confirmation and day-before reminder (SMS to a mobile, else email), each
 * with the "we can't come" link; also used when a waiting-list offer is accepted (features/waitlist).
 */
export async function queueRegistrationConfirmation(
  trx: Db,
  r: Pick<HeldForConfirmation, 'id' | 'reference' | 'phone' | 'email' | 'locale' | 'seats' | 'slug' | 'starts_at'> & {
    cancelToken: string | null;
  },
  now: Date,
  reminderAt?: string,
  // Writes made by the same statement (the sign-up's confirmation), run only if it queues: the answer says whether.
  alongside?: RawBuilder<unknown>,
): Promise<boolean> {
  const sms = smsRecipientOf(r.phone);
  const recipient = sms ?? r.email;
  if (!recipient) return false;
  const common = {
    channel: sms ? ('sms' as const) : ('email' as const),
    recipient,
    locale: r.locale as Locale,
    payload: { reference: r.reference, eventSlug: r.slug, seats: r.seats, cancelToken: r.cancelToken },
    registrationId: r.id,
  };
  const remindAt = reminderTime(r.starts_at, reminderAt);
  await enqueueMessages(
    trx,
    [
      { kind: 'event_registration_confirmation', ...common },
      ...(remindAt.getTime() > now.getTime()
        ? [{ kind: 'event_registration_reminder' as const, ...common, sendAfter: remindAt }]
        : []),
    ],
    { alongside },
  );
  return true;
}

/** "Send again", or "use email instead" for a sign-up's code (resendHeldCode). */
export const resendRegistrationCode = (db: Db, id: number, options?: ResendOptions) =>
  resendHeldCode(db, REGISTRATION_HOLD, id, options);

/** The sign-up a "we can't come" link names, while it still holds seats. */
export async function findByCancelToken(db: Db, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  return db
    .selectFrom('event_registration as r')
    .innerJoin('event as e', 'e.id', 'r.event_id')
    .select(['r.id', 'r.reference', 'r.seats', 'r.locale', 'e.slug', 'e.title', 'e.starts_at'])
    .where('r.cancel_token_hash', '=', hashToken(token))
    .where('r.status', '=', 'confirmed')
    .executeTakeFirst();
}

/**
 * "We can't come": the sign-up is cancelled and its seats are free at once; its personal data and
 * unsent reminder go with it. False when the link no longer names a confirmed sign-up.
 */
export async function cancelRegistration(db: Db, token: string): Promise<{ eventSlug: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  return runInTransaction(db, async (trx) => {
    const r = await trx
      .selectFrom('event_registration')
      .select('id')
      .where('cancel_token_hash', '=', hashToken(token))
      .where('status', '=', 'confirmed')
      .executeTakeFirst();
    return r && cancelRegistrationById(trx, r.id, ['confirmed'], new Date());
  });
}

/**
 * Cancels one sign-up in the caller's transaction (a guarded UPDATE: once only), gives its seats
 * back, drops its personal data and unsent reminder, and offers the seats to the waiting list
 * first (issue #13). Also the GDPR erasure's, for pending holds too (gdpr/event-personal-data.ts).
 */
export async function cancelRegistrationById(
  trx: Db,
  id: number,
  from: ('pending' | 'confirmed')[],
  now: Date,
): Promise<{ eventSlug: string } | undefined> {
  const r = await trx
    .updateTable('event_registration')
    .set({ status: 'cancelled', name: null, phone: null, email: null, cancel_token_hash: null })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returning(['id', 'event_id', 'seats'])
    .executeTakeFirst();
  if (!r) return undefined;
  const event = await trx
    .updateTable('event')
    .set((eb) => ({ seats_taken: eb('seats_taken', '-', r.seats) }))
    .where('id', '=', r.event_id)
    .returning('slug')
    .executeTakeFirstOrThrow();
  await cancelPendingMessagesOf(trx, 'registration_id', r.id, ['event_registration_reminder']);
  await offerEventSeats(trx, r.event_id, now);
  return { eventSlug: event.slug };
}
