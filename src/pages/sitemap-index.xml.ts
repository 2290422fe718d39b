import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { buildSitemapIndex } from '#/lib/sitemap.ts';

export const GET: APIRoute = () =>
  new Response(buildSitemapIndex(['/sitemap-pages.xml'], publicOrigin()), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
  });
