// Pages that show live data are rendered on demand and kept in Astro's route cache, tagged by
// what they show. A write calls invalidateLiveData with the same tags.
import type { AstroGlobal, APIContext } from 'astro';
import { isLocale, type Locale } from '../locales.ts';
import { attachRouteCache, invalidateSubscribers, publishInvalidation } from './cache-bus.ts';

export const CACHE_TAGS = {
  desks: 'desks',
  events: 'events',
  campaign: (slug: string) => `campaign:${slug}`,
  /** A desk's free slots: invalidated by every booking, cancellation or move at that desk. */
  slots: (deskSlug: string) => `slots:${deskSlug}`,
} as const;

type CacheCarrier = Pick<AstroGlobal, 'cache'> | Pick<APIContext, 'cache'>;

/** Cache the response for up to 5 minutes (a safety net: writes invalidate at once). */
export function cacheLiveData(ctx: CacheCarrier, tags: string[]): void {
  // LIVE_PAGE_CACHE=off renders every request from the database: `npm run bench:scale` measures
  // the queries and the rendering that way. Production leaves it on.
  if (!ctx.cache.enabled || process.env.LIVE_PAGE_CACHE === 'off') return;
  ctx.cache.set({ maxAge: 300, swr: 30, tags });
  attachRouteCache(routeCacheInvalidator(ctx), tags);
}

/**
 * Call after the write has committed: invalidates the tags here and, on PostgreSQL, in every other
 * server process on the same database (NOTIFY, see cache-bus.ts).
 */
export async function invalidateLiveData(ctx: CacheCarrier, tags: string[]): Promise<void> {
  invalidateSubscribers(tags);
  if (!ctx.cache.enabled) return;
  attachRouteCache(routeCacheInvalidator(ctx));
  await ctx.cache.invalidate({ tags });
  await publishInvalidation(tags);
}

// A request's `cache` delegates to the process's one cache provider, so it stays usable after the
// request: the bus keeps the first one to invalidate what other processes announce.
function routeCacheInvalidator(ctx: CacheCarrier) {
  const cache = ctx.cache;
  return (tags: string[]) => cache.invalidate({ tags });
}

/** The locale of a [locale] route, or undefined when the segment is not one of ours (→ 404). */
export function routeLocale(param: string | undefined): Locale | undefined {
  return isLocale(param) ? param : undefined;
}
