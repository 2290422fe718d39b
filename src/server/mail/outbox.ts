// The email outbox: messages are rows written in the same transaction as the booking or pledge
// they confirm, so none is lost when SMTP is down. The worker (worker.ts) delivers them.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { getConfig } from '#/server/config.ts';
import { romeParts, romeToInstant } from '#/lib/time.ts';

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
  | 'verification_code';

export interface NewMessage {
  kind: MessageKind;
  recipient: string;
  locale: Locale;
  /** What the template needs. No message body is stored: it is rendered at send time. */
  payload: Record<string, unknown>;
  bookingId?: number;
  pledgeId?: number;
  volunteerId?: number;
  sendAfter?: Date;
}

/**
 * Who wants to know that a message was queued: the in-process worker, which then sends it within
 * a moment instead of at its next round. The row may still be inside the caller's transaction, so
 * the worker waits a little first; its regular rounds catch any message the nudge missed.
 */
const queuedListeners = new Set<() => void>();
export function onMessageQueued(listener: () => void): () => void {
  queuedListeners.add(listener);
  return () => queuedListeners.delete(listener);
}

export async function enqueueMessage(db: Db, message: NewMessage): Promise<void> {
  await insertMessage(db, message);
  const sendsNow = !message.sendAfter || message.sendAfter.getTime() <= Date.now();
  if (sendsNow) for (const listener of queuedListeners) listener();
}

async function insertMessage(db: Db, message: NewMessage): Promise<void> {
  await db
    .insertInto('outbox')
    .values({
      kind: message.kind,
      recipient: message.recipient,
      locale: message.locale,
      payload: JSON.stringify(message.payload),
      booking_id: message.bookingId ?? null,
      pledge_id: message.pledgeId ?? null,
      volunteer_id: message.volunteerId ?? null,
      send_after: message.sendAfter ?? new Date(),
    })
    .execute();
}

/** Withdraws messages not yet sent for a booking (e.g. its reminder, once it is cancelled or moved). */
export async function cancelPendingMessages(db: Db, bookingId: number, kinds: MessageKind[]): Promise<void> {
  await cancelPendingMessagesOf(db, 'booking_id', bookingId, kinds);
}

/** Withdraws messages not yet sent for a booking, pledge or volunteer. */
export async function cancelPendingMessagesOf(
  db: Db,
  owner: 'booking_id' | 'pledge_id' | 'volunteer_id',
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
