// Closing an open pledge: the donor cancels, staff record what arrived, or housekeeping expires a
// pledge nobody kept. Unless it was received, its quantities are given back in the same transaction.
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { cancelPendingMessagesOf, enqueueMessage } from '#/server/mail/outbox.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { applyQuantityChanges } from './pledge-quantities.ts';
import type { PledgePayload } from './pledge-messages.ts';
import { selectPledgeWithPlace } from './pledge-with-place.ts';

/**
 * Closes an open pledge with a final status and, unless it was received, gives its quantities back.
 * Its reminder is withdrawn; a donor with an email who cancels is told so (with the calendar entry to remove).
 */
async function closePledge(
  db: Db,
  pledgeId: number,
  status: Exclude<PledgeStatus, 'pledged'>,
  now: Date,
): Promise<boolean> {
  return runInTransaction(db, async (trx) => {
    const closed = await trx
      .updateTable('pledge')
      .set({ status, closed_at: now })
      .where('id', '=', pledgeId)
      .where('status', '=', 'pledged')
      .returning(['id', 'email', 'locale', 'reference'])
      .executeTakeFirst();
    if (!closed) return false;
    if (status !== 'received') {
      const lines = await trx
        .selectFrom('pledge_item')
        .select(['campaign_item_id', 'quantity'])
        .where('pledge_id', '=', pledgeId)
        .execute();
      await applyQuantityChanges(
        trx,
        lines.map((l) => ({ itemId: l.campaign_item_id, delta: -l.quantity })),
        { share: 1 },
      );
    }
    await cancelPendingMessagesOf(trx, 'pledge_id', pledgeId, ['pledge_reminder']);
    if (status === 'cancelled' && closed.email) {
      await enqueueMessage(trx, {
        kind: 'pledge_cancelled',
        recipient: closed.email,
        locale: closed.locale as Locale,
        payload: await pledgePayloadOf(trx, pledgeId, closed.reference),
        pledgeId,
      });
    }
    return true;
  });
}

/** What the pledge messages need, as createPledge stores it (no manage link: the caller adds one if it has one). */
export async function pledgePayloadOf(trx: Db, pledgeId: number, reference: string): Promise<PledgePayload> {
  const where = await selectPledgeWithPlace(trx)
    .select([
      'campaign.slug as campaign_slug',
      'collection_window.id as window_id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      'drop_off_point.slug as point_slug',
    ])
    .where('pledge.id', '=', pledgeId)
    .executeTakeFirstOrThrow();
  const lines = await trx
    .selectFrom('pledge_item')
    .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
    .select(['campaign_item.slug', 'pledge_item.quantity'])
    .where('pledge_item.pledge_id', '=', pledgeId)
    .orderBy('campaign_item.position')
    .orderBy('campaign_item.id')
    .execute();
  return {
    reference,
    campaignSlug: where.campaign_slug,
    windowId: where.window_id,
    pointSlug: where.point_slug,
    start: where.starts_at.toISOString(),
    end: where.ends_at.toISOString(),
    lines: lines.map((l) => ({ item: l.slug, quantity: l.quantity })),
    manageToken: null,
  };
}

/** The donor cancels: the quantities are needed again at once. */
export function cancelPledge(db: Db, pledgeId: number, now: Date = new Date()): Promise<boolean> {
  return closePledge(db, pledgeId, 'cancelled', now);
}

/** Staff mark what arrived (received) or did not (not_brought, which gives the quantities back). */
export function recordPledgeOutcome(
  db: Db,
  pledgeId: number,
  outcome: 'received' | 'not_brought',
  now: Date = new Date(),
): Promise<boolean> {
  return closePledge(db, pledgeId, outcome, now);
}

/**
 * Pledges still open when their collection window ended more than `graceHours` ago expire and give
 * their quantities back, so the list never stays blocked by promises nobody keeps.
 */
export async function expireUnkeptPledges(db: Db, now: Date = new Date(), graceHours = 48): Promise<number> {
  const cutoff = new Date(now.getTime() - graceHours * 3600000);
  const due = await db
    .selectFrom('pledge')
    .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
    .select('pledge.id')
    .where('pledge.status', '=', 'pledged')
    .where('collection_window.ends_at', '<', cutoff)
    .execute();
  let expired = 0;
  for (const p of due) if (await closePledge(db, p.id, 'expired', now)) expired++;
  return expired;
}
