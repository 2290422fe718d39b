import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { buildSitemap, type SitemapPage } from '#/lib/sitemap.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';
import {
  SECTIONS,
  bookingPath,
  deskPath,
  pagePath,
  pledgePath,
  servicePath,
  volunteerPath,
  type Section,
} from '#/lib/paths.ts';
import { DESK_SERVICES } from '#/features/desks/services.ts';

/**
 * When the pages whose words come with the code last changed: the time this module was built. Desks
 * keep no change time, so their pages carry it too (a desk edit shows at the next build's date).
 */
const BUILT_AT: Date = (() => {
  try {
    return statSync(fileURLToPath(import.meta.url)).mtime;
  } catch {
    return new Date();
  }
})();

/**
 * The pages' part of the sitemap: home, the sections, each service, each desk and its booking, the
 * pledge and volunteer forms. The upcoming events have parts of their own (sitemap-events-[part].xml.ts).
 */
export const GET: APIRoute = async (context) => {
  const db = await getDb();
  const desks = await listDesks(db);
  cacheLiveData(context, [CACHE_TAGS.desks]);
  const built = (path: SitemapPage['path']): SitemapPage => ({ path, lastmod: BUILT_AT });
  const pages: SitemapPage[] = [
    built((l) => pagePath(l)),
    ...(Object.keys(SECTIONS) as Section[]).map((s) => built((l) => pagePath(l, s))),
    ...DESK_SERVICES.map((s) => built((l) => servicePath(l, s))),
    built((l) => pledgePath(l, 'dona')),
    built((l) => volunteerPath(l)),
    ...desks.flatMap((d) => [built((l) => deskPath(l, d.slug)), built((l) => bookingPath(l, d.slug))]),
  ];
  return conditionalResponse(context.request, buildSitemap(pages, publicOrigin()), {
    contentType: 'application/xml; charset=utf-8',
  });
};
