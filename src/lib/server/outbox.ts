// The email outbox: messages are rows written in the same transaction as the booking or pledge
// they confirm, so none is lost when SMTP is down. The worker (worker.ts) delivers them.
import type { Db } from './db/database.ts';
import type { Locale } from '../locales.ts';

export type MessageKind = 'booking_confirmation' | 'booking_reminder' | 'booking_cancelled' | 'booking_moved';

export interface NewMessage {
  kind: MessageKind;
  recipient: string;
  locale: Locale;
  /** What the template needs. No message body is stored: it is rendered at send time. */
  payload: Record<string, unknown>;
  bookingId?: number;
  sendAfter?: Date;
}

export async function enqueueMessage(db: Db, message: NewMessage): Promise<void> {
  await db
    .insertInto('outbox')
    .values({
      kind: message.kind,
      recipient: message.recipient,
      locale: message.locale,
      payload: JSON.stringify(message.payload),
      booking_id: message.bookingId ?? null,
      send_after: message.sendAfter ?? new Date(),
    })
    .execute();
}

/** Withdraws messages not yet sent for a booking (e.g. its reminder, once it is cancelled or moved). */
export async function cancelPendingMessages(db: Db, bookingId: number, kinds: MessageKind[]): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'cancelled' })
    .where('booking_id', '=', bookingId)
    .where('kind', 'in', kinds)
    .where('status', '=', 'pending')
    .execute();
}
