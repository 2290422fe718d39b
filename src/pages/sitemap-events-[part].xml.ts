import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listUpcomingEvents } from '#/features/events/events.ts';
import { countUpcomingEvents } from '#/features/events/upcoming-count.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { buildSitemap } from '#/lib/sitemap.ts';
import { EVENTS_PER_SITEMAP, readSitemapPart } from '#/lib/sitemap-parts.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';
import { eventPath } from '#/lib/paths.ts';

/** One part of the upcoming events, in the list's order (soonest first), EVENTS_PER_SITEMAP per part. */
export const GET: APIRoute = async (context) => {
  const db = await getDb();
  const from = new Date();
  const part = readSitemapPart(context.params.part, await countUpcomingEvents(db, from));
  if (part === undefined) return context.rewrite('/404');
  const events = await listUpcomingEvents(db, {
    from,
    offset: (part - 1) * EVENTS_PER_SITEMAP,
    limit: EVENTS_PER_SITEMAP,
  });
  cacheLiveData(context, [CACHE_TAGS.events]);
  const pages = events.map((e) => ({
    path: (l: Parameters<typeof eventPath>[0]) => eventPath(l, e.slug),
    lastmod: e.updatedAt,
  }));
  return conditionalResponse(context.request, buildSitemap(pages, publicOrigin()), {
    contentType: 'application/xml; charset=utf-8',
  });
};
