// The messages of a confirmed booking: its confirmation and the day-before reminder, queued in the
// transaction that confirms it (a staff booking at once, an online one when its code is entered).
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { enqueueMessages, reminderTime } from '#/server/mail/outbox.ts';

export interface ConfirmedBookingMessage {
  bookingId: number;
  reference: string;
  deskSlug: string;
  start: Date;
  end: Date;
  email: string;
  locale: Locale;
  manageToken: string | null;
}

export async function enqueueConfirmation(
  trx: Db,
  booking: ConfirmedBookingMessage,
  now: Date,
  reminderAt?: string,
): Promise<void> {
  const payload = {
    reference: booking.reference,
    deskSlug: booking.deskSlug,
    start: booking.start.toISOString(),
    end: booking.end.toISOString(),
    manageToken: booking.manageToken,
  };
  const common = { recipient: booking.email, locale: booking.locale, payload, bookingId: booking.bookingId };
  // Confirmation and reminder in one insert, counted once against the recipient's daily cap.
  const remindAt = reminderTime(booking.start, reminderAt);
  await enqueueMessages(trx, [
    { kind: 'booking_confirmation', ...common },
    ...(remindAt.getTime() > now.getTime()
      ? [{ kind: 'booking_reminder' as const, ...common, sendAfter: remindAt }]
      : []),
  ]);
}
