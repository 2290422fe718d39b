// The GET handlers of /api/hsds/…: a paged list of one kind of HSDS object, or one by its id.
import type { APIContext, APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listDesks, listMunicipi } from '#/features/desks/desks.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { apiError, requestedLocale } from '#/server/http/api-respond.ts';
import { conditionalJson } from '#/server/http/conditional-get.ts';
import { hsdsQuery, queryOf } from './api-schemas.ts';
import { hsdsLocations, hsdsOrganizations, hsdsPage, hsdsSchedules, hsdsServices, type HsdsData } from './hsds.ts';

const BUILDERS = {
  organizations: hsdsOrganizations,
  locations: hsdsLocations,
  services: hsdsServices,
  schedules: hsdsSchedules,
} as const;
export type HsdsKind = keyof typeof BUILDERS;

const PER_PAGE_DEFAULT = 50;

async function load(context: APIContext): Promise<HsdsData> {
  const db = await getDb();
  const [desks, municipi] = await Promise.all([listDesks(db), listMunicipi(db)]);
  cacheLiveData(context, [CACHE_TAGS.desks]);
  return { desks, municipi, locale: requestedLocale(context.url), origin: publicOrigin() };
}

/** GET /api/hsds/{kind}[?page=&per_page=&locale=] */
export function hsdsListRoute(kind: HsdsKind): APIRoute {
  return async (context) => {
    const query = hsdsQuery.safeParse(queryOf(context.url));
    if (!query.success)
      return apiError(400, 'invalid_query', { message: 'page must be 1 or more, per_page from 1 to 200' });
    const items: unknown[] = BUILDERS[kind](await load(context));
    return conditionalJson(
      context.request,
      hsdsPage(items, query.data.page ?? 1, query.data.per_page ?? PER_PAGE_DEFAULT),
    );
  };
}

/** GET /api/hsds/{kind}/{id} */
export function hsdsItemRoute(kind: 'organizations' | 'services'): APIRoute {
  return async (context) => {
    const id = context.params.id ?? '';
    const items: { id: string }[] = BUILDERS[kind](await load(context));
    const item = items.find((i) => i.id === id);
    if (!item) return apiError(404, 'not_found');
    return conditionalJson(context.request, item);
  };
}
