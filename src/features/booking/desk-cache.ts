// This process's copy of what every booking reads but only staff change: a desk with its weekly
// hours, closures and extra openings. Without it a booking ran four extra statements before its
// transaction. The store, its time to live and its generation check are plumbing
// (src/server/cache/write-cache.ts); a slot's places are never taken from here: the guarded update
// inside the booking's transaction counts them.
//
// Follows the route cache's tags: `desks` drops every desk, `desk:<slug>` one desk. Every staff
// desk-settings change (slot length, capacity, window, hours, closures, extra openings) invalidates
// both. `slots:<slug>` is not followed: every booking invalidates it.
import type { Db } from '#/server/db/database.ts';
import { perDatabaseStore } from '#/server/cache/write-cache.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import type { ExtraOpening } from './slots.ts';
import { addDays } from './slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { isSlug } from '#/lib/paths.ts';

const MAX_DESKS = 500;
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

const desks = perDatabaseStore<CachedDesk | undefined>({
  maxEntries: MAX_DESKS,
  onTags(store, tags) {
    for (const tag of tags) {
      if (tag === 'desks') store.drop();
      else if (tag.startsWith('desk:')) store.drop(tag.slice('desk:'.length));
    }
  },
});

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
  return desks.of(db).get(slug, () => loadDesk(db, slug));
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

/** For tests: how many desks this database's copy holds. */
export function cachedDeskCount(db: Db): number {
  return desks.peek(db)?.size ?? 0;
}
