// A hold's code on its way, for bookings and pledges alike: queued to the contact's mobile by SMS
// or to the email (payload { code sealed, expiresAt, minutes, purpose }), the previous unsent code's
// message withdrawn when a new one goes (a confirmed hold's drops it: holds/confirm-hold.ts).
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { sql } from 'kysely';
import { enqueueMessage, type QueuedAlongside } from '#/server/mail/outbox.ts';
import { subjectOf, type CodeChannel, type CodeSubject } from './codes.ts';
import { sealedCodePayload } from './sms.ts';

/** What the message says the code is for ("your booking", "your pledge", "your place on the waiting list"). */
export type CodePurpose = 'booking' | 'pledge' | 'waitlist';

/** The outbox row's link to what the code confirms: the same key as the subject's. */
const outboxLink = (subject: CodeSubject) => subject;

/** Queues a hold's code to its contact (SMS → the phone, email → the address). */
export async function queueCode(
  trx: Db,
  subject: CodeSubject,
  to: { channel: CodeChannel; phone: string | null; email: string | null; locale: Locale },
  code: string,
  hold: { expiresAt: Date; minutes: number; again?: boolean },
  // Writes made by the same statement as the message (the code's row: issueCodeAlongside).
  alongside: QueuedAlongside = {},
): Promise<number> {
  const recipient = to.channel === 'sms' ? to.phone : to.email;
  if (!recipient) throw new Error('a hold without the contact its code goes to');
  // "Send again": the earlier code's message, if still unsent, is no use any more.
  // Its row is kept (what was sent, and when) without the code in it.
  if (hold.again) {
    const { column, id } = subjectOf(subject);
    await trx
      .updateTable('outbox')
      .set({ status: 'cancelled', payload: sql`payload - 'code'` })
      .where(column, '=', id)
      .where('kind', '=', 'verification_code')
      .where('status', '=', 'pending')
      .execute();
  }
  return enqueueMessage(
    trx,
    {
      kind: 'verification_code',
      channel: to.channel,
      recipient,
      locale: to.locale,
      payload: {
        ...sealedCodePayload(code, hold.expiresAt),
        minutes: hold.minutes,
        purpose: 'pledgeId' in subject ? 'pledge' : 'waitEntryId' in subject ? 'waitlist' : 'booking',
      },
      ...outboxLink(subject),
    },
    alongside,
  );
}
