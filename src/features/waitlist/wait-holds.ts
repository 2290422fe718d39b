// Joining a waiting list proves the contact (issue #13), as a sign-up does: the join is written as
// a 'pending' entry (in join order, but never offered and not counted in anyone's position) and a
// 6-digit code goes to its contact; the code confirms it within WAIT_HOLD_MINUTES (→ 'waiting',
// the "you are on the list" message with the status link, and any seats already free offered at
// once). Not confirmed in time, it lapses: at read time (caps, position, confirm) and for good by
// the worker's round (releaseLapsedWaitEntries). The code itself is the verification feature's; the
// hold's engine is src/features/holds (issue #11), and this is the join's kind (WAIT_HOLD).
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { issueCode, type CodeChannel } from '#/features/verification/codes.ts';
import { queueCode } from '#/features/verification/send-code.ts';
import { resendHeldCode, type ResendOptions } from '#/features/holds/resend-hold-code.ts';
import { holdLapsed, type ConfirmOutcome, type HoldKind } from '#/features/holds/hold-kind.ts';
import { confirmHeld, markConfirmed } from '#/features/holds/confirm-hold.ts';
import { lapsedCtes, pastTime } from '#/features/holds/lapse.ts';
import { CODE_COLUMNS, heldCodeView, type HeldCodeView } from '#/features/holds/held-view.ts';
import { smsRecipientOf } from '#/server/mail/outbox.ts';
import { queueWaitMessage } from './wait-messages.ts';
import { offerEventSeats } from './event-offers.ts';
import { ERASED } from './wait-erase.ts';

/** How long a join waits for its code: the same quarter hour as a sign-up's hold. */
export const WAIT_HOLD_MINUTES = 15;

/**
 * A waiting-list join's hold (holds/hold-kind.ts): confirmed it waits in line; a lapse closes it,
 * drops what every closed entry drops (ERASED: its personal data and keys) and its time.
 */
export const WAIT_HOLD: HoldKind<{ waitEntryId: number }> = {
  table: 'wait_entry',
  states: { confirmed: 'waiting', lapsed: 'lapsed' },
  subject: (waitEntryId) => ({ waitEntryId }),
  minutes: () => WAIT_HOLD_MINUTES,
  erase: (now) =>
    sql`${sql.join(Object.keys(ERASED).map((column) => sql`${sql.ref(column)} = NULL`))},
             hold_expires_at = NULL, closed_at = ${now}::timestamptz`,
};

/** Where a join's code goes: a mobile by SMS, else the email. */
export function codeChannelOf(contact: { phone: string | null; email: string | null }): CodeChannel {
  return smsRecipientOf(contact.phone) ? 'sms' : 'email';
}

/** In the joining transaction: the new pending entry's code, issued and queued to its contact. */
export async function sendJoinCode(
  trx: Db,
  secret: string,
  entry: { id: number; phone: string | null; email: string | null; locale: string },
  expiresAt: Date,
  now: Date,
): Promise<void> {
  const channel = codeChannelOf(entry);
  const subject = { waitEntryId: entry.id };
  const code = await issueCode(trx, { ...subject, channel, expiresAt }, secret, now);
  const to = {
    channel,
    phone: smsRecipientOf(entry.phone) ?? null,
    email: entry.email,
    locale: entry.locale as Locale,
  };
  await queueCode(trx, subject, to, code, { expiresAt, minutes: WAIT_HOLD_MINUTES });
}

export interface WaitHoldView extends HeldCodeView {
  id: number;
  reference: string;
  eventId: number | null;
  deskId: number | null;
  /** The list's page: the event's or the desk's slug. */
  eventSlug: string | null;
  deskSlug: string | null;
  seats: number;
  /** A desk's list: the days the family waits for (null for an event's). */
  fromDay: string | null;
  toDay: string | null;
}

/** A join and its code, as the code step and the API show it. */
export async function findWaitHold(db: Db, id: number): Promise<WaitHoldView | undefined> {
  const row = await db
    .selectFrom('wait_entry as w')
    .leftJoin('verification_code as v', 'v.wait_entry_id', 'w.id')
    .leftJoin('event as e', 'e.id', 'w.event_id')
    .leftJoin('desk as d', 'd.id', 'w.desk_id')
    .select(['w.id', 'w.reference', 'w.event_id', 'w.desk_id', 'w.seats', 'w.status', 'w.hold_expires_at'])
    .select(['w.from_day', 'w.to_day'])
    .select(['e.slug as event_slug', 'd.slug as desk_slug'])
    .select(['w.phone', 'w.email'])
    .select(CODE_COLUMNS)
    .where('w.id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      reference: row.reference,
      eventId: row.event_id,
      deskId: row.desk_id,
      eventSlug: row.event_slug,
      deskSlug: row.desk_slug,
      seats: row.seats,
      fromDay: row.from_day,
      toDay: row.to_day,
      ...heldCodeView(row),
    }
  );
}

/** A join whose code was not confirmed in time, even one the worker has not released yet. */
export function waitHoldLapsed(w: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return holdLapsed(WAIT_HOLD, w, now);
}

type WaitConfirmed = { ok: true; id: number; alreadyConfirmed: boolean; eventId: number | null; deskId: number | null };
export type ConfirmWaitOutcome = ConfirmOutcome<WaitConfirmed>;

/**
 * The code typed for a join: right → the entry waits in line ('waiting'), its "you are on the
 * list" message (with the status link) is queued, and seats already free for it are offered now.
 */
export async function confirmWaitEntry(
  db: Db,
  id: number,
  code: string | undefined,
  options: { now?: Date } = {},
): Promise<ConfirmWaitOutcome> {
  const now = options.now ?? new Date();
  const done = (w: { event_id: number | null; desk_id: number | null }, alreadyConfirmed: boolean): WaitConfirmed => ({
    ok: true,
    id,
    alreadyConfirmed,
    eventId: w.event_id,
    deskId: w.desk_id,
  });
  return confirmHeld(db, WAIT_HOLD, id, code, now, {
    readLocked: (trx) =>
      trx
        .selectFrom('wait_entry as w')
        .leftJoin('event as e', 'e.id', 'w.event_id')
        .leftJoin('desk as d', 'd.id', 'w.desk_id')
        .select(['w.status', 'w.hold_expires_at', 'w.reference', 'w.phone', 'w.email', 'w.locale', 'w.seats'])
        .select(['w.event_id', 'w.desk_id', 'e.slug as event_slug', 'd.slug as desk_slug'])
        .where('w.id', '=', id)
        .forUpdate('w')
        .executeTakeFirst(),
    already: (w) => done(w, true),
    confirm: async (trx, w) => {
      await markConfirmed(trx, WAIT_HOLD, id, undefined);
      await queueWaitMessage(trx, 'waitlist_joined', w, {
        seats: w.seats,
        ...(w.event_slug ? { eventSlug: w.event_slug } : {}),
        ...(w.desk_slug ? { deskSlug: w.desk_slug } : {}),
      });
      if (w.event_id !== null) await offerEventSeats(trx, w.event_id, now);
      return done(w, false);
    },
  });
}

/** "Send again", or "use email instead" for a join's code (resendHeldCode). */
export const resendWaitCode = (db: Db, id: number, options?: ResendOptions) =>
  resendHeldCode(db, WAIT_HOLD, id, options);

/**
 * Joins whose code was not confirmed in time lapse for good: their personal data, code and
 * unsent code message go (the worker's round; one statement, so a late confirmation that locked
 * the row first wins and this skips it).
 */
export async function releaseLapsedWaitEntries(db: Db, now: Date): Promise<number> {
  // Only the unsent messages go: a join's sent code message stays (what was sent, and when).
  const { rows } = await sql<{ released: number }>`
    WITH ${lapsedCtes(WAIT_HOLD, pastTime(now), now, ['id'], { unsentOnly: true })}
    SELECT count(*)::int AS released FROM lapsed`.execute(db);
  return rows[0]?.released ?? 0;
}
