// A donor choosing another collection window from their pledge's manage link (issue #15): after a
// coordinator moved or cancelled theirs, or simply to come another day. One UPDATE moves the open
// pledge, only to a window of the same campaign that takes pledges (window-days.ts: not cancelled,
// not a holiday nor a day its desk is closed) and has not ended; the unique index of one open
// pledge per contact and window refuses a second pledge of the same contact there. The reminder
// of the old time is withdrawn and one for the new time queued.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { cancelPendingMessagesOf, enqueueMessage, reminderTime, smsRecipientOf } from '#/server/mail/outbox.ts';
import { pledgePayloadOf } from './close-pledge.ts';
import { windowTakesPledges } from './window-days.ts';

export type WindowChange = { ok: true } | { ok: false; reason: 'not_open' | 'invalid_window' | 'open_pledge' };

export async function changePledgeWindow(
  db: Db,
  pledgeId: number,
  windowId: number,
  now: Date = new Date(),
): Promise<WindowChange> {
  if (!Number.isSafeInteger(windowId) || windowId < 1 || windowId > 2147483647)
    return { ok: false, reason: 'invalid_window' };
  try {
    return await runInTransaction(db, async (trx): Promise<WindowChange> => {
      const { rows } = await sql<{
        id: number;
        reference: string;
        email: string | null;
        phone: string | null;
        locale: string;
      }>`
        UPDATE pledge SET collection_window_id = cw.id
          FROM collection_window cw
          JOIN drop_off_point p ON p.id = cw.drop_off_point_id
          JOIN campaign c ON c.id = p.campaign_id
         WHERE pledge.id = ${pledgeId}::int AND pledge.status = 'pledged' AND cw.id = ${windowId}::int
           AND c.id = pledge.campaign_id AND c.active AND cw.ends_at > ${now}::timestamptz
           AND ${windowTakesPledges(now)}
        RETURNING pledge.id, pledge.reference, pledge.email, pledge.phone, pledge.locale`.execute(trx);
      const moved = rows[0];
      if (!moved) {
        const open = await trx
          .selectFrom('pledge')
          .select('id')
          .where('id', '=', pledgeId)
          .where('status', '=', 'pledged')
          .executeTakeFirst();
        return { ok: false, reason: open ? 'invalid_window' : 'not_open' };
      }
      await cancelPendingMessagesOf(trx, 'pledge_id', moved.id, ['pledge_reminder']);
      const payload = await pledgePayloadOf(trx, moved.id, moved.reference);
      const remindAt = reminderTime(new Date(payload.start));
      const recipient = moved.email ?? smsRecipientOf(moved.phone);
      if (recipient && remindAt.getTime() > now.getTime())
        await enqueueMessage(trx, {
          kind: 'pledge_reminder',
          channel: moved.email ? 'email' : 'sms',
          recipient,
          locale: moved.locale as Locale,
          payload: { ...payload },
          pledgeId: moved.id,
          sendAfter: remindAt,
        });
      return { ok: true };
    });
  } catch (error) {
    if (
      isUniqueViolation(error, 'pledge_open_phone_per_window') ||
      isUniqueViolation(error, 'pledge_open_email_per_window')
    )
      return { ok: false, reason: 'open_pledge' };
    throw error;
  }
}
