import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { deskToJson } from '#/features/open-data/api-shapes.ts';
import { apiError, requestedLocale } from '#/server/http/api-respond.ts';
import { conditionalJson } from '#/server/http/conditional-get.ts';
import { desksQuery, queryOf } from '#/features/open-data/api-schemas.ts';

/** GET /api/v1/desks[?municipio=1-9][&locale=] */
export const GET: APIRoute = async (context) => {
  const query = desksQuery.safeParse(queryOf(context.url));
  if (!query.success) return apiError(400, 'invalid_municipio', { message: 'municipio must be a number from 1 to 9' });
  const raw = query.data.municipio;
  const locale = requestedLocale(context.url);
  const desks = await listDesks(await getDb(), { municipioId: raw === undefined ? undefined : Number(raw) });
  cacheLiveData(context, [CACHE_TAGS.desks]);
  const origin = publicOrigin();
  return conditionalJson(
    context.request,
    desks.map((d) => deskToJson(d, locale, origin)),
  );
};
