// The SMS beside a pledge's emails: its confirmation (with the manage link and the window) and the
// reminder the day before, queued in the same transaction when the donor gave a mobile phone.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { enqueueMessages, reminderTime, smsRecipientOf } from '#/server/mail/outbox.ts';

export async function queuePledgeSms(
  trx: Db,
  pledge: { id: number; phone: string | null; locale: Locale; payload: Record<string, unknown> & { start: string } },
  now: Date,
): Promise<void> {
  const recipient = smsRecipientOf(pledge.phone);
  if (!recipient) return;
  const base = {
    channel: 'sms' as const,
    recipient,
    locale: pledge.locale,
    payload: pledge.payload,
    pledgeId: pledge.id,
  };
  const remindAt = reminderTime(new Date(pledge.payload.start));
  await enqueueMessages(trx, [
    { ...base, kind: 'pledge_confirmation' },
    ...(remindAt.getTime() > now.getTime() ? [{ ...base, kind: 'pledge_reminder' as const, sendAfter: remindAt }] : []),
  ]);
}
