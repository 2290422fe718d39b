// The outbox: messages (emails and SMS) are rows written in the same transaction as the booking or
// pledge they confirm, so none is lost when SMTP or the SMS centre is down. The worker (worker.ts)
// delivers them.
import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { afterCommit } from '#/server/db/transaction.ts';
import type { Locale } from '#/lib/locales.ts';
import { getConfig } from '#/server/config.ts';
import { romeDateString, romeParts, romeToInstant } from '#/lib/time.ts';

export type MessageKind =
  | 'booking_confirmation'
  | 'booking_reminder'
  | 'booking_cancelled'
  | 'booking_moved'
  | 'pledge_confirmation'
  | 'pledge_reminder'
  | 'pledge_cancelled'
  | 'volunteer_confirm_address'
  | 'volunteer_welcome'
  | 'volunteer_coordinator_notice'
  | 'staff_invitation'
  | 'staff_password_reset'
  /** A 6-digit code confirming a pending hold (issue #12); to a phone (SMS) or an email. */
  | 'verification_code'
  | 'sms_help'
  /** An event registration confirmed by its code, and its day-before reminder (issue #13). */
  | 'event_registration_confirmation'
  | 'event_registration_reminder'
  /**
   * A date a family signed up for (or waited for) cancelled, or moved; and a moved date told to the
   * families on its waiting list, with texts of their own (src/features/events/date-notices.ts).
   */
  | 'event_date_cancelled'
  | 'event_date_moved'
  | 'event_date_moved_waiting'
  /** A waiting list (issue #13): "you are on the list" and "seats or a place are free for you". */
  | 'waitlist_joined'
  | 'waitlist_offer'
  /** A coordinator told that an event waits for review (issue #15, src/features/events/review-notice.ts). */
  | 'event_review_notice'
  /** A donor told that their collection window moved or was cancelled (src/features/campaign/window-notice.ts). */
  | 'pledge_window_changed';

export type MessageChannel = 'email' | 'sms';

export interface NewMessage {
  kind: MessageKind;
  /** Default 'email'. */
  channel?: MessageChannel;
  /** An email address, or for an SMS a phone in E.164 (`+393331234567`: see `smsRecipientOf`). */
  recipient: string;
  locale: Locale;
  /** What the template needs. No message body is stored: it is rendered at send time. */
  payload: Record<string, unknown>;
  bookingId?: number;
  /** An event registration (issue #13): its messages go with it when its hold lapses. */
  registrationId?: number;
  pledgeId?: number;
  volunteerId?: number;
  /** A waiting-list entry's code (issue #13): it goes with the entry. */
  waitEntryId?: number;
  sendAfter?: Date;
}

/**
 * Who wants to know that a message was queued: the in-process worker, which then sends it at once
 * instead of at its next round. It is told after the row's transaction commits (`committed`), or,
 * inside a transaction whose commit cannot be seen (not one of runInTransaction), right away: the
 * row may not be visible yet, so the worker waits a little first; its regular rounds catch any
 * message a nudge missed.
 */
// Kept on globalThis: the built site bundles its own copy of this module, apart from the one
// scripts/serve.ts loads for the worker, and a module-level set would never hear the site's rows.
const QUEUED = Symbol.for('qubi.outboxQueued');
type QueuedListener = (committed: boolean) => void;
function queuedListeners(): Set<QueuedListener> {
  const g = globalThis as typeof globalThis & { [QUEUED]?: Set<QueuedListener> };
  return (g[QUEUED] ??= new Set());
}
export function onMessageQueued(listener: QueuedListener): () => void {
  queuedListeners().add(listener);
  return () => queuedListeners().delete(listener);
}

/**
 * Writes that go with a message, run by the same statement as its row, so they cost no round trip
 * of their own (a hold's booking and code with the message carrying the code). `alongside`: data-
 * modifying CTEs (`name AS (INSERT …)`, comma-separated), run whether or not the recipient's cap
 * drops the message. `onlyIf`: a condition on them (`EXISTS (SELECT 1 FROM name)`): when false,
 * nothing is queued or counted, and enqueueMessages answers 0.
 */
export interface QueuedAlongside {
  alongside?: RawBuilder<unknown>;
  onlyIf?: RawBuilder<boolean>;
}

export async function enqueueMessage(db: Db, message: NewMessage, options: QueuedAlongside = {}): Promise<number> {
  return enqueueMessages(db, [message], options);
}

/**
 * Queues messages to one recipient in one statement whatever their number (a confirmation and its
 * reminder): the recipient's daily counter and the rows (with `options`, see QueuedAlongside).
 * Returns how many rows were written, queued or dropped over the recipient's cap.
 */
export async function enqueueMessages(db: Db, messages: NewMessage[], options: QueuedAlongside = {}): Promise<number> {
  const recipients = new Set(messages.map((m) => m.recipient));
  if (recipients.size !== 1) {
    if (options.alongside || options.onlyIf) throw new Error('enqueueMessages: `alongside` needs one recipient');
    let written = 0;
    for (const message of messages) written += await enqueueMessages(db, [message]);
    return written;
  }
  // The first ones within the cap are queued, the rest dropped (insertWithinRecipientCap).
  const { queued, written } = await insertWithinRecipientCap(db, messages, new Date(), options);
  const sendsNow = messages.some((m, i) => i < queued && (!m.sendAfter || m.sendAfter.getTime() <= Date.now()));
  if (sendsNow) {
    const nudge = (committed: boolean) => {
      for (const listener of queuedListeners()) listener(committed);
    };
    if (!afterCommit(db, () => nudge(true))) nudge(false);
  }
  return written;
}

/** A phone that can receive an SMS, in E.164; undefined for other forms and Italian landlines (+390…). */
export function smsRecipientOf(phone: string | null | undefined): string | undefined {
  if (!phone || !/^\+[1-9][0-9]{6,14}$/.test(phone)) return undefined;
  return phone.startsWith('+390') ? undefined : phone;
}

/**
 * MESSAGES_PER_RECIPIENT_PER_DAY (default 10), read where it is counted like the rate limits, so an
 * environment can raise it without a restart of the tests' process; parseConfig validates it at start.
 */
export function messagesPerRecipientPerDay(): number {
  const fromEnv = Number(process.env.MESSAGES_PER_RECIPIENT_PER_DAY);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 10;
}

/**
 * Counts the messages against their recipient's day (Rome) and inserts them, those within
 * MESSAGES_PER_RECIPIENT_PER_DAY as 'pending', the rest as 'dropped', in ONE statement (this runs
 * for every booking, pledge and sign-up: one round trip, not two). The counter row is written by the
 * caller's transaction, so concurrent writers to one recipient queue on its lock and the cap holds
 * under a race. Returns how many were queued (the first ones; the rest are dropped) and written.
 */
async function insertWithinRecipientCap(
  db: Db,
  messages: NewMessage[],
  now: Date,
  { alongside, onlyIf }: QueuedAlongside,
): Promise<{ queued: number; written: number }> {
  const count = messages.length;
  const rows = messages.map((message, i) => {
    const r = messageRow(message);
    return sql`(${i}::int, ${r.kind}::text, ${r.channel}::text, ${r.recipient}::text, ${r.locale}::text,
      ${r.payload}::jsonb, ${r.booking_id}::int, ${r.pledge_id}::int, ${r.volunteer_id}::int,
      ${r.registration_id}::int, ${r.wait_entry_id}::int, ${r.send_after}::timestamptz)`;
  });
  const { rows: inserted } = await sql<{ status: string }>`
    WITH ${alongside ? sql`${alongside},` : sql``} counted AS (
      INSERT INTO message_recipient_day (recipient_hash, day, messages)
      SELECT ${recipientHash(messages[0]!.recipient)}::text, ${romeDateString(now)}::date, ${count}::int
       WHERE ${onlyIf ?? sql<boolean>`true`}
      ON CONFLICT (recipient_hash, day) DO UPDATE SET messages = message_recipient_day.messages + ${count}::int
      -- How many of these still fit in the recipient's day.
      RETURNING ${messagesPerRecipientPerDay()}::int - (messages - ${count}::int) AS room
    )
    INSERT INTO outbox (kind, channel, recipient, locale, payload, booking_id, pledge_id, volunteer_id,
                        registration_id, wait_entry_id, send_after, status, last_error)
    SELECT m.kind, m.channel, m.recipient, m.locale, m.payload, m.booking_id, m.pledge_id, m.volunteer_id,
           m.registration_id, m.wait_entry_id, m.send_after,
           CASE WHEN m.i < counted.room THEN 'pending' ELSE 'dropped' END,
           CASE WHEN m.i < counted.room THEN NULL ELSE ${OVER_RECIPIENT_CAP}::text END
      FROM counted
     CROSS JOIN (VALUES ${sql.join(rows)}) AS m(i, kind, channel, recipient, locale, payload, booking_id,
                 pledge_id, volunteer_id, registration_id, wait_entry_id, send_after)
     ORDER BY m.i
    RETURNING status`.execute(db);
  return { queued: inserted.filter((r) => r.status === 'pending').length, written: inserted.length };
}

const OVER_RECIPIENT_CAP = 'over the daily limit for this recipient';

/**
 * SHA-256 of the address as counted: the counter table keeps no address. Emails count lower-cased and
 * without a `+tag`, so a third party cannot be flooded through aliases of one mailbox.
 */
export function recipientHash(recipient: string): string {
  const value = recipient.includes('@')
    ? recipient
        .trim()
        .toLowerCase()
        .replace(/\+[^@]*@/, '@')
    : recipient.replace(/[^0-9+]/g, '');
  return createHash('sha256').update(value).digest('hex');
}

/** An outbox row's values (its status is set by the recipient's cap: insertWithinRecipientCap). */
function messageRow(message: NewMessage) {
  return {
    kind: message.kind,
    channel: message.channel ?? 'email',
    recipient: message.recipient,
    locale: message.locale,
    payload: JSON.stringify(message.payload),
    booking_id: message.bookingId ?? null,
    pledge_id: message.pledgeId ?? null,
    volunteer_id: message.volunteerId ?? null,
    registration_id: message.registrationId ?? null,
    wait_entry_id: message.waitEntryId ?? null,
    send_after: message.sendAfter ?? new Date(),
  };
}

/** Withdraws messages not yet sent for a booking (e.g. its reminder, once it is cancelled or moved). */
export async function cancelPendingMessages(db: Db, bookingId: number, kinds: MessageKind[]): Promise<void> {
  await cancelPendingMessagesOf(db, 'booking_id', bookingId, kinds);
}

/** Withdraws messages not yet sent for a booking, pledge or volunteer. */
export async function cancelPendingMessagesOf(
  db: Db,
  owner: 'booking_id' | 'pledge_id' | 'volunteer_id' | 'registration_id',
  ownerId: number,
  kinds: MessageKind[],
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'cancelled' })
    .where(owner, '=', ownerId)
    .where('kind', 'in', kinds)
    .where('status', '=', 'pending')
    .execute();
}

/** When a day-before reminder goes out: REMINDER_TIME ("HH:MM", Rome, default 17:00) on the previous day. */
export function reminderTime(start: Date, at: string = getConfig().reminderTime): Date {
  const p = romeParts(new Date(start.getTime() - 86400000));
  const [h, m] = at.split(':').map(Number) as [number, number];
  return romeToInstant(p.year, p.month, p.day, h, m);
}

/** The per-recipient and SMS counters of days before yesterday are of no more use. */
export async function pruneMessageCounters(db: Db, now: Date): Promise<void> {
  const before = romeDateString(new Date(now.getTime() - 2 * 86400000));
  await db.deleteFrom('message_recipient_day').where('day', '<', before).execute();
  await db.deleteFrom('sms_day').where('day', '<', before).execute();
}
