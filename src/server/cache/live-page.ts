// Pages that show live data are rendered on demand and kept in memory, tagged by what they show:
// in the front cache under scripts/serve.ts (front-cache.ts), in Astro's route cache otherwise. A
// write calls invalidateLiveData with the same tags.
import type { AstroGlobal, APIContext } from 'astro';
import { isLocale, type Locale } from '#/lib/locales.ts';
import { readParams } from '#/lib/paths.ts';
import { attachRouteCache, invalidateSubscribers, publishInvalidation } from './cache-bus.ts';
import { markFrontCacheable } from './front-cache.ts';

export const CACHE_TAGS = {
  desks: 'desks',
  events: 'events',
  campaign: (slug: string) => `campaign:${slug}`,
  /** A desk's free slots: invalidated by every booking, cancellation or move at that desk. */
  slots: (deskSlug: string) => `slots:${deskSlug}`,
} as const;

type CacheCarrier = Pick<AstroGlobal, 'cache'> | Pick<APIContext, 'cache'>;
type CachedRoute = Pick<AstroGlobal, 'cache' | 'routePattern'> | Pick<APIContext, 'cache' | 'routePattern'>;

const MAX_AGE_SECONDS = 300;

/** Cache the response for up to 5 minutes (a safety net: writes invalidate at once). */
export function cacheLiveData(ctx: CachedRoute, tags: string[]): void {
  // LIVE_PAGE_CACHE=off renders every request from the database: `npm run bench:scale` measures
  // the queries and the rendering that way. Production leaves it on.
  if (!ctx.cache.enabled || process.env.LIVE_PAGE_CACHE === 'off') return;
  // Under scripts/serve.ts the front cache (front-cache.ts) keeps the answer, in front of the
  // adapter; Astro's route cache is then left out, not kept as a second copy: its hits would
  // reach the front layer without the page running, so without tags, and an entry evicted or
  // expired in front would never be stored there again while Astro's copy kept answering.
  // Keyed by the query parameters the route reads (paths.ts QUERY_PARAMS): others share the entry.
  if (!markFrontCacheable(tags, MAX_AGE_SECONDS, readParams(ctx.routePattern)))
    ctx.cache.set({ maxAge: MAX_AGE_SECONDS, swr: 30, tags });
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
