// A hold's code on its way, for bookings and pledges alike: queued to the contact's mobile by SMS
// or to the email (payload { code, expiresAt, minutes, purpose }), the previous unsent code's
// message withdrawn when a new one goes, and the spent code's message dropped once it confirmed.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { cancelPendingMessagesOf, enqueueMessage } from '#/server/mail/outbox.ts';
import { ownerColumn, type CodeChannel, type CodeOwner } from './codes.ts';

/** What the message says the code is for ("your booking", "your pledge") and how long it lasts. */
export type CodePurpose = 'booking' | 'pledge';

const outboxOwner = (owner: CodeOwner) =>
  'booking' in owner ? { bookingId: owner.booking } : { pledgeId: owner.pledge };
const ownerId = (owner: CodeOwner) => ('booking' in owner ? owner.booking : owner.pledge);

/** Queues a hold's code to its contact (SMS → the phone, email → the address). */
export async function queueCode(
  trx: Db,
  owner: CodeOwner,
  to: { channel: CodeChannel; phone: string | null; email: string | null; locale: Locale },
  code: string,
  hold: { expiresAt: Date; minutes: number; again?: boolean },
): Promise<void> {
  const recipient = to.channel === 'sms' ? to.phone : to.email;
  if (!recipient) throw new Error('a hold without the contact its code goes to');
  // "Send again": the earlier code's message, if still unsent, is no use any more.
  if (hold.again) await cancelPendingMessagesOf(trx, ownerColumn(owner), ownerId(owner), ['verification_code']);
  await enqueueMessage(trx, {
    kind: 'verification_code',
    channel: to.channel,
    recipient,
    locale: to.locale,
    payload: {
      code,
      expiresAt: hold.expiresAt.toISOString(),
      minutes: hold.minutes,
      purpose: 'booking' in owner ? 'booking' : 'pledge',
    },
    ...outboxOwner(owner),
  });
}

/** The code has done its work: its message row goes with it. */
export async function dropCodeMessages(trx: Db, owner: CodeOwner): Promise<void> {
  await trx
    .deleteFrom('outbox')
    .where(ownerColumn(owner), '=', ownerId(owner))
    .where('kind', '=', 'verification_code')
    .execute();
}
