// The SMS beside a booking's emails: queued in the same transaction when the family gave a phone
// that can receive one (a mobile in E.164), whether or not they gave an email. bookings.ts calls
// `queueBookingSms` next to each email it queues; the templates are in sms.ts.
import type { RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { enqueueMessages, reminderTime, smsRecipientOf } from '#/server/mail/outbox.ts';
import { generateShortToken, generateToken } from './reference.ts';

/**
 * The booking's manage token: 20 characters (120 bits) when an SMS will carry it, so that the short
 * link fits the message; 43 (256 bits) for email only; none without either.
 */
export function manageTokenFor(contact: { email: string | null; phone: string | null }): string | null {
  if (smsRecipientOf(contact.phone)) return generateShortToken();
  return contact.email ? generateToken() : null;
}

/** True when the booking writes an outbox row (so it needs a transaction). */
export function sendsSms(phone: string | null | undefined): boolean {
  return smsRecipientOf(phone) !== undefined;
}

export interface BookingForSms {
  id: number;
  phone: string | null;
  locale: Locale | string;
  reference: string;
  /** The desk's slug, or its id (looked up). */
  desk: { slug: string } | { id: number };
  start: Date;
  end: Date;
  /** Only a new booking knows it (a move or a cancellation has the hash alone). */
  manageToken?: string | null;
  /** The booking's `sms_wanted`: false when staff unticked the SMS confirmation (no SMS at all then). */
  smsWanted?: boolean;
  /** A cancellation because the desk closed that day: the SMS carries manageToken's link (issue #15). */
  dayClosed?: boolean;
}

/**
 * Queues the SMS of a confirmation, a move (each with the day-before reminder at REMINDER_TIME) or a
 * cancellation, in the caller's transaction. Nothing when the phone cannot receive an SMS, or
 * when the family asked for none (`smsWanted: false`). `alongside`: writes made by the same
 * statement (the hold's confirmation: holds.ts), run only if it queues: the answer says whether.
 */
export async function queueBookingSms(
  trx: Db,
  kind: 'booking_confirmation' | 'booking_moved' | 'booking_cancelled',
  booking: BookingForSms,
  now: Date,
  reminderAt?: string,
  alongside?: RawBuilder<unknown>,
): Promise<boolean> {
  const recipient = booking.smsWanted === false ? undefined : smsRecipientOf(booking.phone);
  if (!recipient) return false;
  const deskSlug =
    'slug' in booking.desk
      ? booking.desk.slug
      : (await trx.selectFrom('desk').select('slug').where('id', '=', booking.desk.id).executeTakeFirstOrThrow()).slug;
  const base = {
    channel: 'sms' as const,
    recipient,
    locale: booking.locale as Locale,
    payload: {
      reference: booking.reference,
      deskSlug,
      start: booking.start.toISOString(),
      end: booking.end.toISOString(),
      manageToken: booking.manageToken ?? null,
      ...(booking.dayClosed ? { dayClosed: true } : {}),
    },
    bookingId: booking.id,
  };
  const remindAt = kind === 'booking_cancelled' ? undefined : reminderTime(booking.start, reminderAt);
  await enqueueMessages(
    trx,
    [
      { ...base, kind },
      ...(remindAt && remindAt.getTime() > now.getTime()
        ? [{ ...base, kind: 'booking_reminder' as const, sendAfter: remindAt }]
        : []),
    ],
    { alongside },
  );
  return true;
}
