// The "zaino sospeso" campaign: items with aggregate progress, where and when to bring them.
// Only totals are read here; no pledge or donor is ever part of a public read.
import type { Db } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { isSlug } from '#/lib/paths.ts';
import { getConfig } from '#/server/config.ts';
import { windowTakesPledges } from './window-days.ts';

/**
 * The most one pledge may promise of an item: `share` of its target (PLEDGE_MAX_SHARE), at least 1,
 * so that no one donor (or one client) can take the whole of an item. pledge-quantities.ts enforces the same
 * number in SQL (MAX_PER_PLEDGE_SQL), inside the pledge's transaction.
 */
export function maxPerPledge(target: number, share: number = getConfig().pledgeMaxShare): number {
  return Math.max(1, Math.floor(target * share + 1e-9));
}

export interface CampaignItem {
  id: number;
  slug: string;
  name: LocalizedText;
  target: number;
  pledged: number;
  remaining: number;
  /** What one pledge may promise of it at most (maxPerPledge). */
  maxPerPledge: number;
  isSample: boolean;
}

export interface CollectionWindow {
  id: number;
  startsAt: Date;
  endsAt: Date;
}

export interface DropOffPoint {
  id: number;
  slug: string;
  name: string;
  address: string;
  municipioId: number;
  notes: LocalizedText | null;
  isSample: boolean;
  windows: CollectionWindow[];
}

export interface Campaign {
  id: number;
  slug: string;
  title: LocalizedText;
  summary: LocalizedText;
  description: LocalizedText;
  items: CampaignItem[];
  dropOffPoints: DropOffPoint[];
}

/** The campaign with its items and the collection windows that take pledges and have not ended by `now`. */
export async function getCampaign(db: Db, slug: string, now: Date = new Date()): Promise<Campaign | undefined> {
  if (!isSlug(slug)) return undefined;
  const campaign = await db
    .selectFrom('campaign')
    .selectAll()
    .where('slug', '=', slug)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!campaign) return undefined;
  const [items, points, windows, lapsed] = await Promise.all([
    db
      .selectFrom('campaign_item')
      .selectAll()
      .where('campaign_id', '=', campaign.id)
      .orderBy('position')
      .orderBy('id')
      .execute(),
    db.selectFrom('drop_off_point').selectAll().where('campaign_id', '=', campaign.id).orderBy('name').execute(),
    db
      .selectFrom('collection_window')
      .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
      .select([
        'collection_window.id',
        'collection_window.drop_off_point_id',
        'collection_window.starts_at',
        'collection_window.ends_at',
      ])
      .where('drop_off_point.campaign_id', '=', campaign.id)
      .where('collection_window.ends_at', '>', now)
      // Only windows that take pledges: not cancelled, not on a holiday or a day the desk is closed.
      .where(windowTakesPledges(now, 'collection_window', 'drop_off_point'))
      .orderBy('collection_window.starts_at')
      .execute(),
    // Holds whose code never came, not released yet: their quantities are free again already.
    db
      .selectFrom('pledge_item')
      .innerJoin('pledge', 'pledge.id', 'pledge_item.pledge_id')
      .select((eb) => ['pledge_item.campaign_item_id', eb.fn.sum<string>('pledge_item.quantity').as('n')])
      .where('pledge.status', '=', 'pending')
      .where('pledge.hold_expires_at', '<=', now)
      .where('pledge.campaign_id', '=', campaign.id)
      .groupBy('pledge_item.campaign_item_id')
      .execute(),
  ]);
  const lapsedOf = (itemId: number) => Number(lapsed.find((l) => l.campaign_item_id === itemId)?.n ?? 0);
  return {
    id: campaign.id,
    slug: campaign.slug,
    title: campaign.title,
    summary: campaign.summary,
    description: campaign.description,
    items: items.map((i) => ({
      id: i.id,
      slug: i.slug,
      name: i.name,
      target: i.target,
      pledged: i.pledged - lapsedOf(i.id),
      remaining: i.target - i.pledged + lapsedOf(i.id),
      maxPerPledge: maxPerPledge(i.target),
      isSample: i.is_sample,
    })),
    dropOffPoints: points.map((p) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      address: p.address,
      municipioId: p.municipio_id,
      notes: p.notes,
      isSample: p.is_sample,
      windows: windows
        .filter((w) => w.drop_off_point_id === p.id)
        .map((w) => ({ id: w.id, startsAt: w.starts_at, endsAt: w.ends_at })),
    })),
  };
}
