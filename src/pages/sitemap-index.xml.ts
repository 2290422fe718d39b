import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { buildSitemapIndex } from '#/lib/sitemap.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';

export const GET: APIRoute = (context) =>
  conditionalResponse(context.request, buildSitemapIndex(['/sitemap-pages.xml'], publicOrigin()), {
    contentType: 'application/xml; charset=utf-8',
  });
