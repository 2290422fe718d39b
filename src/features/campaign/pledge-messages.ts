// A confirmed pledge's messages, queued in the transaction that confirms it: the confirmation (with
// the manage link) and the reminder the day before, by email when the donor gave one and by SMS
// beside it when they gave a mobile (pledge-sms.ts). A pledge taken without a hold gets them at
// once (create-pledge.ts); a pledge held for its code, when the code confirms it (pledge-holds.ts).
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { enqueueMessage, reminderTime } from '#/server/mail/outbox.ts';
import { queuePledgeSms } from './pledge-sms.ts';

/** What the pledge emails and SMS render (emails.ts), dates as ISO strings. */
export interface PledgePayload extends Record<string, unknown> {
  reference: string;
  campaignSlug: string;
  windowId: number;
  pointSlug: string;
  start: string;
  end: string;
  lines: { item: string; quantity: number }[];
  manageToken: string | null;
}

export async function queuePledgeConfirmation(
  trx: Db,
  pledge: { id: number; email: string | null; phone: string | null; locale: Locale },
  payload: PledgePayload,
  now: Date,
): Promise<void> {
  await queuePledgeSms(trx, { id: pledge.id, phone: pledge.phone, locale: pledge.locale, payload }, now);
  if (!pledge.email) return;
  await enqueueMessage(trx, {
    kind: 'pledge_confirmation',
    recipient: pledge.email,
    locale: pledge.locale,
    payload,
    pledgeId: pledge.id,
  });
  const remindAt = reminderTime(new Date(payload.start));
  if (remindAt.getTime() > now.getTime()) {
    await enqueueMessage(trx, {
      kind: 'pledge_reminder',
      recipient: pledge.email,
      locale: pledge.locale,
      payload,
      pledgeId: pledge.id,
      sendAfter: remindAt,
    });
  }
}
