// What a pledge promises, against what each item still needs. Quantities are enforced by PostgreSQL:
// each item's counter is raised with "pledged + n <= target" in the pledge's transaction (and a
// CHECK backs it), so concurrent donors can never promise more than is needed; the same guarded
// update refuses a line above the item's share per pledge (PLEDGE_MAX_SHARE, maxPerPledge).
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { maxPerPledge } from './campaigns.ts';

export interface PledgeLine {
  item: string; // campaign item slug
  quantity: number;
}

/** Why a pledge's quantities were refused: not enough still needed, or more than one pledge may take. */
export type QuantityRefusal =
  | { ok: false; reason: 'exceeds_remaining'; remaining: Record<string, number> }
  | { ok: false; reason: 'exceeds_share'; maxPerPledge: Record<string, number> };

/** maxPerPledge in SQL, for the row being updated (its `target`): keep the two equal. */
export const maxPerPledgeSql = (share: number) => sql<number>`GREATEST(1, floor(target * ${share}::numeric + 1e-9))`;

/** An increase did not fit (thrown inside a transaction to roll it back). */
export class ExceedsRemaining extends Error {}

/** Adds up repeated items and drops empty lines; undefined when a quantity is not a positive whole number. */
export function normalizeLines(lines: PledgeLine[]): PledgeLine[] | undefined {
  const totals = new Map<string, number>();
  for (const line of lines) {
    if (!Number.isInteger(line.quantity) || line.quantity < 0 || line.quantity > 1000) return undefined;
    if (line.quantity === 0) continue;
    totals.set(line.item, (totals.get(line.item) ?? 0) + line.quantity);
  }
  return [...totals].map(([item, quantity]) => ({ item, quantity }));
}

/**
 * Why an increase did not fit, read after the rollback: a line above its item's share per pledge
 * while more than that is still needed (asking again cannot help), otherwise what is still needed
 * of each item.
 */
export async function quantityRefusal(
  db: Db,
  lines: { itemId: number; quantity: number }[],
  share: number,
  campaignId?: number,
): Promise<QuantityRefusal> {
  let query = db
    .selectFrom('campaign_item')
    .select(['id', 'slug', 'target', 'pledged'])
    .where(
      'id',
      'in',
      lines.map((l) => l.itemId),
    );
  if (campaignId !== undefined) query = query.where('campaign_id', '=', campaignId);
  const rows = await query.execute();
  // The share decides only where it is the tighter limit: above what remains, "remaining" says more.
  const overShare = rows.filter((r) =>
    lines.some(
      (l) =>
        l.itemId === r.id &&
        l.quantity > maxPerPledge(r.target, share) &&
        maxPerPledge(r.target, share) < r.target - r.pledged,
    ),
  );
  if (overShare.length > 0)
    return {
      ok: false,
      reason: 'exceeds_share',
      maxPerPledge: Object.fromEntries(rows.map((r) => [r.slug, maxPerPledge(r.target, share)])),
    };
  return {
    ok: false,
    reason: 'exceeds_remaining',
    remaining: Object.fromEntries(rows.map((r) => [r.slug, r.target - r.pledged])),
  };
}

/**
 * Raises (or lowers) item counters. Rows are locked in id order so two pledges touching the same
 * items cannot deadlock. Throws ExceedsRemaining when an increase does not fit what is still needed
 * or makes the pledge's line (`quantity`, after the change) more than one pledge may take.
 */
/** One item's counter moved by `delta`; `quantity` is the pledge's line after it (for the share). */
export interface QuantityChange {
  itemId: number;
  delta: number;
  quantity?: number;
}

export async function applyQuantityChanges(
  trx: Db,
  changes: QuantityChange[],
  options: { campaignId?: number; share: number },
): Promise<void> {
  const { campaignId, share } = options;
  for (const change of [...changes].sort((a, b) => a.itemId - b.itemId)) {
    if (change.delta === 0) continue;
    let update = trx
      .updateTable('campaign_item')
      .set({ pledged: sql<number>`pledged + ${change.delta}` })
      .where('id', '=', change.itemId)
      .where(sql<boolean>`pledged + ${change.delta} <= target`);
    // Giving back is always possible; taking more stays within the item's share per pledge.
    if (change.delta > 0)
      update = update.where(sql<boolean>`${change.quantity ?? change.delta}::int <= ${maxPerPledgeSql(share)}`);
    // A new pledge names its campaign: an item of another one is never raised.
    if (campaignId !== undefined) update = update.where('campaign_id', '=', campaignId);
    const updated = await update.returning('id').executeTakeFirst();
    if (!updated) throw new ExceedsRemaining();
  }
}
