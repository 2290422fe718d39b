// Pages that show live data are rendered on demand and kept in Astro's route cache, tagged by
// what they show. A write calls invalidateLiveData with the same tags.
import type { AstroGlobal, APIContext } from 'astro';
import { isLocale, type Locale } from '../locales.ts';

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
  if (ctx.cache.enabled) ctx.cache.set({ maxAge: 300, swr: 30, tags });
}

export async function invalidateLiveData(ctx: CacheCarrier, tags: string[]): Promise<void> {
  if (ctx.cache.enabled) await ctx.cache.invalidate({ tags });
}

/** The locale of a [locale] route, or undefined when the segment is not one of ours (→ 404). */
export function routeLocale(param: string | undefined): Locale | undefined {
  return isLocale(param) ? param : undefined;
}
