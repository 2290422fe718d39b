import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';

export const GET: APIRoute = () =>
  new Response(`User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: ${publicOrigin()}/sitemap-index.xml\n`, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
