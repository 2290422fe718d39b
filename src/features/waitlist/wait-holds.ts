// Joining a waiting list proves the contact (issue #13), as a sign-up does: the join is written as
// a 'pending' entry (in join order, but never offered and not counted in anyone's position) and a
// 6-digit code goes to its contact; the code confirms it within WAIT_HOLD_MINUTES (→ 'waiting',
// the "you are on the list" message with the status link, and any seats already free offered at
// once). Not confirmed in time, it lapses: at read time (caps, position, confirm) and for good by
// the worker's round (releaseLapsedWaitEntries). The code itself is the verification feature's.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { issueCode, type CheckOutcome, type CodeChannel } from '#/features/verification/codes.ts';
import { checkHeldCode, heldLapsed } from '#/features/verification/held-code-check.ts';
import { dropCodeMessages, queueCode } from '#/features/verification/send-code.ts';
import { resendHeldCode, type ResendHeldCodeOutcome } from '#/features/verification/resend-held-code.ts';
import { smsRecipientOf } from '#/server/mail/outbox.ts';
import { queueWaitMessage } from './wait-messages.ts';
import { offerEventSeats } from './event-offers.ts';
import { ERASED } from './wait-erase.ts';

/** How long a join waits for its code: the same quarter hour as a sign-up's hold. */
export const WAIT_HOLD_MINUTES = 15;

/** What a waiting-list entry's confirmed and lapsed states are called (held-code-check.ts). */
const WAIT_STATES = { confirmed: 'waiting', lapsed: 'lapsed' };

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

export interface WaitHoldView {
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
  status: string;
  expiresAt: Date | null;
  channel: CodeChannel | null;
  phone: string | null;
  email: string | null;
  attempts: number;
  sends: number;
  lastSentAt: Date | null;
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
    .select(['w.phone', 'w.email', 'v.channel', 'v.attempts', 'v.sends', 'v.last_sent_at'])
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
      status: row.status,
      expiresAt: row.hold_expires_at,
      channel: row.channel,
      phone: row.phone,
      email: row.email,
      attempts: row.attempts ?? 0,
      sends: row.sends ?? 0,
      lastSentAt: row.last_sent_at,
    }
  );
}

/** A join whose code was not confirmed in time, even one the worker has not released yet. */
export function waitHoldLapsed(w: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return heldLapsed(w, WAIT_STATES.lapsed, now);
}

export type ConfirmWaitOutcome =
  | { ok: true; id: number; alreadyConfirmed: boolean; eventId: number | null; deskId: number | null }
  | Exclude<CheckOutcome, { ok: true }>
  | { ok: false; reason: 'not_pending' };

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
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    const found = await trx
      .selectFrom('wait_entry as w')
      .leftJoin('event as e', 'e.id', 'w.event_id')
      .leftJoin('desk as d', 'd.id', 'w.desk_id')
      .select(['w.status', 'w.hold_expires_at', 'w.reference', 'w.phone', 'w.email', 'w.locale', 'w.seats'])
      .select(['w.event_id', 'w.desk_id', 'e.slug as event_slug', 'd.slug as desk_slug'])
      .where('w.id', '=', id)
      .forUpdate('w')
      .executeTakeFirst();
    const gate = await checkHeldCode(trx, found, WAIT_STATES, { waitEntryId: id }, code, secret, now);
    if (!gate.ok) return gate;
    const w = gate.held;
    const done = { ok: true as const, id, eventId: w.event_id, deskId: w.desk_id };
    if (gate.alreadyConfirmed) return { ...done, alreadyConfirmed: true };
    await trx
      .updateTable('wait_entry')
      .set({ status: 'waiting', hold_expires_at: null })
      .where('id', '=', id)
      .execute();
    await dropCodeMessages(trx, { waitEntryId: id });
    await queueWaitMessage(trx, 'waitlist_joined', w, {
      seats: w.seats,
      ...(w.event_slug ? { eventSlug: w.event_slug } : {}),
      ...(w.desk_slug ? { deskSlug: w.desk_slug } : {}),
    });
    if (w.event_id !== null) await offerEventSeats(trx, w.event_id, now);
    return { ...done, alreadyConfirmed: false };
  });
}

/** "Send again", or "use email instead" for a join's code (resendHeldCode). */
export function resendWaitCode(
  db: Db,
  id: number,
  options: { toEmail?: string; now?: Date } = {},
): Promise<ResendHeldCodeOutcome> {
  return resendHeldCode(db, { waitEntryId: id }, WAIT_HOLD_MINUTES, options);
}

/**
 * Joins whose code was not confirmed in time lapse for good: their personal data, code and
 * unsent code message go (the worker's round; one statement, so a late confirmation that locked
 * the row first wins and this skips it).
 */
export async function releaseLapsedWaitEntries(db: Db, now: Date): Promise<number> {
  return runInTransaction(db, async (trx) => {
    const lapsed = await trx
      .updateTable('wait_entry')
      .set({ ...ERASED, status: 'lapsed', hold_expires_at: null, closed_at: now })
      .where('status', '=', 'pending')
      .where('hold_expires_at', '<=', now)
      .returning('id')
      .execute();
    const ids = lapsed.map((r) => r.id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('verification_code').where('wait_entry_id', 'in', ids).execute();
    await trx.deleteFrom('outbox').where('wait_entry_id', 'in', ids).where('status', '=', 'pending').execute();
    return ids.length;
  });
}
