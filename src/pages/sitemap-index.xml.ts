import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { buildSitemapIndex } from '#/lib/sitemap.ts';
import { sitemapParts } from '#/lib/sitemap-parts.ts';
import { countUpcomingEvents } from '#/features/events/upcoming-count.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';

/** The pages' part and one part per 500 upcoming events (lib/sitemap-parts.ts). */
export const GET: APIRoute = async (context) => {
  const count = await countUpcomingEvents(await getDb(), new Date());
  cacheLiveData(context, [CACHE_TAGS.events]);
  return conditionalResponse(context.request, buildSitemapIndex(sitemapParts(count), publicOrigin()), {
    contentType: 'application/xml; charset=utf-8',
  });
};
