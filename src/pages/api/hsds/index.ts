import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { conditionalJson } from '#/server/http/conditional-get.ts';

/** GET /api/hsds: the HSDS API's root, naming the version and where the description is. */
export const GET: APIRoute = (context) =>
  conditionalJson(context.request, {
    version: '3.0',
    profile: 'https://docs.openreferral.org/en/latest/hsds/',
    openapi_url: new URL('/api/v1/openapi.json', publicOrigin()).href,
  });
