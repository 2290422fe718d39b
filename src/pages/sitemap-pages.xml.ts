import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { listUpcomingEvents } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { buildSitemap } from '#/lib/sitemap.ts';
import { SECTIONS, deskPath, eventPath, pagePath, type Section } from '#/lib/paths.ts';
import type { Locale } from '#/lib/locales.ts';

/** Every public page: home, the sections, each desk and each upcoming event. */
export const GET: APIRoute = async (context) => {
  const db = await getDb();
  const [desks, events] = await Promise.all([listDesks(db), listUpcomingEvents(db, { from: new Date(), limit: 500 })]);
  cacheLiveData(context, [CACHE_TAGS.desks, CACHE_TAGS.events]);
  const pages: ((l: Locale) => string)[] = [
    (l) => pagePath(l),
    ...(Object.keys(SECTIONS) as Section[]).map((s) => (l: Locale) => pagePath(l, s)),
    ...desks.map((d) => (l: Locale) => deskPath(l, d.slug)),
    ...events.map((e) => (l: Locale) => eventPath(l, e.slug)),
  ];
  return new Response(buildSitemap(pages, publicOrigin()), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
  });
};
