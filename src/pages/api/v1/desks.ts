import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { deskToJson } from '#/features/open-data/api-shapes.ts';
import { apiError, json, requestedLocale } from '#/server/http/api-respond.ts';

/** GET /api/v1/desks[?municipio=1-9][&locale=] */
export const GET: APIRoute = async (context) => {
  const raw = context.url.searchParams.get('municipio');
  if (raw !== null && !/^[1-9]$/.test(raw))
    return apiError(400, 'invalid_municipio', { message: 'municipio must be a number from 1 to 9' });
  const locale = requestedLocale(context.url);
  const desks = await listDesks(await getDb(), { municipioId: raw === null ? undefined : Number(raw) });
  cacheLiveData(context, [CACHE_TAGS.desks]);
  const origin = publicOrigin();
  return json(desks.map((d) => deskToJson(d, locale, origin)));
};
