// This process's copy of what every pledge is checked against but only staff change: a campaign's
// items, drop-off points and collection windows (no quantities). Without it a pledge ran seven
// extra statements before its transaction. The store, its time to live and its generation check
// are plumbing (src/server/cache/write-cache.ts). Never trusted for what concurrency decides: an
// item's remaining quantity is counted by the guarded update inside the pledge's transaction, and
// a pledge's window (open, of this campaign, campaign active) is checked by the statement that
// inserts the pledge.
//
// It cannot follow its tag, `campaign:<slug>`: every pledge invalidates it (the progress changed),
// so the copy would never live. What staff can change is item targets (not kept here) and new
// items; a pledge naming an item, point or window the copy does not know reloads it once before
// refusing (`fresh`), so a new item is pledgeable at once.
import type { Db } from '#/server/db/database.ts';
import { perDatabaseStore } from '#/server/cache/write-cache.ts';
import { isSlug } from '#/lib/paths.ts';

const MAX_CAMPAIGNS = 20;

export interface PledgeSetup {
  id: number;
  slug: string;
  items: { id: number; slug: string }[];
  dropOffPoints: { id: number; slug: string; windows: { id: number; startsAt: Date; endsAt: Date }[] }[];
}

const campaigns = perDatabaseStore<PledgeSetup | undefined>({ maxEntries: MAX_CAMPAIGNS });

async function loadPledgeSetup(db: Db, slug: string): Promise<PledgeSetup | undefined> {
  const campaign = await db
    .selectFrom('campaign')
    .select(['id', 'slug'])
    .where('slug', '=', slug)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!campaign) return undefined;
  const [items, points, windows] = await Promise.all([
    db
      .selectFrom('campaign_item')
      .select(['id', 'slug'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('position')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('drop_off_point')
      .select(['id', 'slug'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('name')
      .execute(),
    // Every window, ended or not: which ones are still open is decided at each use.
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
      .orderBy('collection_window.starts_at')
      .execute(),
  ]);
  return {
    id: campaign.id,
    slug: campaign.slug,
    items,
    dropOffPoints: points.map((p) => ({
      id: p.id,
      slug: p.slug,
      windows: windows
        .filter((w) => w.drop_off_point_id === p.id)
        .map((w) => ({ id: w.id, startsAt: w.starts_at, endsAt: w.ends_at })),
    })),
  };
}

/**
 * What a pledge to this campaign needs to be checked against (no quantities), from this process's
 * copy; `fresh` reloads it first (the caller met a name the copy does not know).
 */
export async function getPledgeSetup(
  db: Db,
  slug: string,
  options: { fresh?: boolean } = {},
): Promise<PledgeSetup | undefined> {
  if (!isSlug(slug)) return undefined;
  const store = campaigns.of(db);
  if (options.fresh) store.drop(slug);
  return store.get(slug, () => loadPledgeSetup(db, slug));
}
