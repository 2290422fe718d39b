// A pledge from its manage link: found by the link's token, its quantities changed (increases must
// fit what is still needed, within the item's share per pledge), or cancelled (close-pledge.ts).
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import { hashToken } from '#/features/booking/reference.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getConfig } from '#/server/config.ts';
import {
  ExceedsRemaining,
  applyQuantityChanges,
  normalizeLines,
  quantityRefusal,
  type PledgeLine,
  type QuantityRefusal,
} from './pledge-quantities.ts';
import { cancelPledge } from './close-pledge.ts';
import { releaseLapsedPledgeHolds } from './pledge-holds.ts';

export interface ManagedPledge {
  id: number;
  reference: string;
  status: PledgeStatus;
  collectionWindowId: number;
  email: string | null;
  phone: string | null;
  locale: string;
  lines: { itemId: number; item: string; quantity: number }[];
}

export async function findPledgeByToken(db: Db, token: string): Promise<ManagedPledge | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await db
    .selectFrom('pledge')
    .select(['id', 'reference', 'status', 'collection_window_id', 'email', 'phone', 'locale'])
    .where('manage_token_hash', '=', hashToken(token))
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const lines = await db
    .selectFrom('pledge_item')
    .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
    .select(['campaign_item.id', 'campaign_item.slug', 'pledge_item.quantity'])
    .where('pledge_item.pledge_id', '=', row.id)
    .orderBy('campaign_item.position')
    .execute();
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    collectionWindowId: row.collection_window_id,
    email: row.email,
    phone: row.phone,
    locale: row.locale,
    lines: lines.map((l) => ({ itemId: l.id, item: l.slug, quantity: l.quantity })),
  };
}

/**
 * Changes the quantities of an open pledge in one transaction: increases must fit what is still
 * needed, decreases give back at once. An empty list cancels the pledge.
 */
export async function changePledgeQuantities(
  db: Db,
  pledge: ManagedPledge,
  newLines: PledgeLine[],
  share: number = getConfig().pledgeMaxShare,
  retried = false,
): Promise<{ ok: true } | QuantityRefusal | { ok: false; reason: 'invalid_items' | 'not_open' }> {
  if (pledge.status !== 'pledged') return { ok: false, reason: 'not_open' };
  const lines = normalizeLines(newLines);
  if (!lines) return { ok: false, reason: 'invalid_items' };
  if (lines.length === 0) return (await cancelPledge(db, pledge.id)) ? { ok: true } : { ok: false, reason: 'not_open' };
  const campaignId = (
    await db.selectFrom('pledge').select('campaign_id').where('id', '=', pledge.id).executeTakeFirstOrThrow()
  ).campaign_id;
  const items = await db
    .selectFrom('campaign_item')
    .select(['id', 'slug'])
    .where('campaign_id', '=', campaignId)
    .where(
      'slug',
      'in',
      lines.map((l) => l.item),
    )
    .execute();
  if (items.length !== lines.length) return { ok: false, reason: 'invalid_items' };
  const newQuantity = new Map(lines.map((l) => [items.find((i) => i.slug === l.item)!.id, l.quantity]));
  const oldQuantity = new Map(pledge.lines.map((l) => [l.itemId, l.quantity]));
  const itemIds = [...new Set([...newQuantity.keys(), ...oldQuantity.keys()])];
  try {
    await runInTransaction(db, async (trx) => {
      // Lock the pledge first, so two edits of the same pledge apply one after the other.
      const open = await trx
        .selectFrom('pledge')
        .select('id')
        .where('id', '=', pledge.id)
        .where('status', '=', 'pledged')
        .forUpdate()
        .executeTakeFirst();
      if (!open) throw new ExceedsRemaining();
      const current = await trx
        .selectFrom('pledge_item')
        .select(['campaign_item_id', 'quantity'])
        .where('pledge_id', '=', pledge.id)
        .execute();
      const before = new Map(current.map((c) => [c.campaign_item_id, c.quantity]));
      await applyQuantityChanges(
        trx,
        itemIds.map((id) => ({
          itemId: id,
          delta: (newQuantity.get(id) ?? 0) - (before.get(id) ?? 0),
          quantity: newQuantity.get(id) ?? 0,
        })),
        { share },
      );
      await trx.deleteFrom('pledge_item').where('pledge_id', '=', pledge.id).execute();
      await trx
        .insertInto('pledge_item')
        .values([...newQuantity].map(([id, quantity]) => ({ pledge_id: pledge.id, campaign_item_id: id, quantity })))
        .execute();
    });
    return { ok: true };
  } catch (error) {
    // Lapsed holds not yet released still count in the counters: give them back and try once more.
    if (error instanceof ExceedsRemaining && !retried && (await releaseLapsedPledgeHolds(db)) > 0)
      return changePledgeQuantities(db, pledge, newLines, share, true);
    if (error instanceof ExceedsRemaining)
      return quantityRefusal(
        db,
        itemIds.map((id) => ({ itemId: id, quantity: newQuantity.get(id) ?? 0 })),
        share,
      );
    throw error;
  }
}
