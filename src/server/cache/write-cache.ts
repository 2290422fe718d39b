// Per-process copies of the reference data every public write reads but only staff change: a desk
// with its weekly hours, closures and extra openings (for bookings), a campaign's items, drop-off
// points and collection windows (for pledges). Without them a booking ran four extra statements
// before its transaction, a pledge seven.
//
// Never trusted for what concurrency decides: a slot's places and an item's remaining quantity are
// counted by the guarded updates inside the write's transaction, and a pledge's window (open, of
// this campaign, campaign active) is checked by the statement that inserts the pledge.
//
// Freshness:
// - Desks follow the route cache's tags (cache-bus.ts onInvalidation: this process's writes and, on
//   PostgreSQL, the other processes' NOTIFY): `desks` drops every desk, `desk:<slug>` one desk.
//   Every staff desk-settings change (slot length, capacity, window, hours, closures, extra
//   openings) invalidates both. `slots:<slug>` is not followed: every booking invalidates it.
// - Campaigns cannot follow their tag, `campaign:<slug>`: every pledge invalidates it (the progress
//   changed), so the copy would never live. What staff can change is item targets (not kept here)
//   and new items; a pledge naming an item, point or window the copy does not know reloads it once
//   before refusing, so a new item is pledgeable at once.
// - Either way an entry lives at most TTL_MS, which bounds staleness if an invalidation is lost
//   (the listener reconnecting, a change made with SQL by hand).
// - A load that started before an invalidation is not kept (generation check), so a request that
//   read the old rows cannot put them back after the change was announced.
//
// Keyed by the database handle (tests open several in one process) and bounded in entries.
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import type { ExtraOpening } from '#/features/booking/slots.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { isSlug } from '#/lib/paths.ts';
import { onInvalidation } from './cache-bus.ts';

export const TTL_MS = 60_000;
const MAX_DESKS = 500;
const MAX_CAMPAIGNS = 20;
/** A desk with more exceptions than this ahead is read from the database each time. */
const MAX_EXCEPTIONS = 2000;

export interface DeskExceptions {
  /** Closures and extra openings are complete from this day ("YYYY-MM-DD") on. */
  since: string;
  closures: ReadonlySet<string>;
  extraOpenings: ExtraOpening[];
}

export interface CachedDesk {
  desk: Desk;
  /** Undefined when the desk has too many exceptions to keep. */
  exceptions: DeskExceptions | undefined;
}

export interface PledgeSetup {
  id: number;
  slug: string;
  items: { id: number; slug: string }[];
  dropOffPoints: { id: number; slug: string; windows: { id: number; startsAt: Date; endsAt: Date }[] }[];
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A bounded map of loaded values with a generation that every invalidation bumps. */
class Store<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #pending = new Map<string, Promise<V>>();
  #generation = 0;

  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  async get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    // Requests that miss together share one load.
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const generation = this.#generation;
    const loading = load().then(
      (value) => {
        if (this.#pending.get(key) === loading) this.#pending.delete(key);
        // Unknown names are not kept: junk requests must not push real entries out.
        if (generation === this.#generation && value !== undefined) this.#set(key, value, now);
        return value;
      },
      (error: unknown) => {
        if (this.#pending.get(key) === loading) this.#pending.delete(key);
        throw error;
      },
    );
    this.#pending.set(key, loading);
    return loading;
  }

  #set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + TTL_MS });
    // Oldest first: Map keeps insertion order.
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  drop(key?: string): void {
    this.#generation++;
    if (key === undefined) {
      this.#entries.clear();
      this.#pending.clear();
    } else {
      this.#entries.delete(key);
      this.#pending.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

interface Stores {
  desks: Store<CachedDesk | undefined>;
  campaigns: Store<PledgeSetup | undefined>;
}

const stores = new WeakMap<Db, Stores>();
const all = new Set<WeakRef<Stores>>();
let subscribed = false;

function storesOf(db: Db): Stores {
  let s = stores.get(db);
  if (!s) {
    s = { desks: new Store(MAX_DESKS), campaigns: new Store(MAX_CAMPAIGNS) };
    stores.set(db, s);
    all.add(new WeakRef(s));
    subscribe();
  }
  return s;
}

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  onInvalidation((tags) => {
    for (const ref of all) {
      const s = ref.deref();
      if (!s) {
        all.delete(ref);
        continue;
      }
      for (const tag of tags) {
        if (tag === 'desks') s.desks.drop();
        else if (tag.startsWith('desk:')) s.desks.drop(tag.slice('desk:'.length));
      }
    }
  });
}

// ---------------------------------------------------------------- desks

async function loadDesk(db: Db, slug: string): Promise<CachedDesk | undefined> {
  const desk = await getDeskBySlug(db, slug);
  if (!desk) return undefined;
  // From yesterday (Rome): whatever "today" is for a request within the entry's life is covered.
  const since = addDays(romeDateString(new Date()), -1);
  const [closures, extra] = await Promise.all([
    db
      .selectFrom('desk_closure')
      .select('day')
      .where('desk_id', '=', desk.id)
      .where('day', '>=', since)
      .limit(MAX_EXCEPTIONS + 1)
      .execute(),
    db
      .selectFrom('desk_extra_opening')
      .select(['day', 'opens', 'closes'])
      .where('desk_id', '=', desk.id)
      .where('day', '>=', since)
      .limit(MAX_EXCEPTIONS + 1)
      .execute(),
  ]);
  const exceptions =
    closures.length + extra.length > MAX_EXCEPTIONS
      ? undefined
      : {
          since,
          closures: new Set(closures.map((c) => c.day)),
          extraOpenings: extra.map((e) => ({ day: e.day, opens: e.opens.slice(0, 5), closes: e.closes.slice(0, 5) })),
        };
  return { desk, exceptions };
}

/** A desk with its hours (and its closures and extra openings from yesterday on), from this process's copy. */
export async function getCachedDesk(db: Db, slug: string): Promise<CachedDesk | undefined> {
  if (!isSlug(slug)) return undefined;
  return storesOf(db).desks.get(slug, () => loadDesk(db, slug));
}

/** The cached exceptions of a desk between two days, when the copy covers them. */
export function exceptionsFrom(
  cached: CachedDesk | undefined,
  from: string,
  to: string,
): { closures: ReadonlySet<string>; extraOpenings: ExtraOpening[] } | undefined {
  const e = cached?.exceptions;
  if (!e || from < e.since) return undefined;
  return { closures: e.closures, extraOpenings: e.extraOpenings.filter((x) => x.day >= from && x.day <= to) };
}

// ---------------------------------------------------------------- campaigns

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
  const store = storesOf(db).campaigns;
  if (options.fresh) store.drop(slug);
  return store.get(slug, () => loadPledgeSetup(db, slug));
}

/** For tests: how many desks and campaigns this database's copy holds. */
export function cacheSizes(db: Db): { desks: number; campaigns: number } {
  const s = stores.get(db);
  return { desks: s?.desks.size ?? 0, campaigns: s?.campaigns.size ?? 0 };
}
