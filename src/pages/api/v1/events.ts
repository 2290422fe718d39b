import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listUpcomingEvents } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { eventToJson } from '#/features/open-data/api-shapes.ts';
import { apiError, json, requestedLocale } from '#/server/http/api-respond.ts';
import { parseDateOnly, romeToInstant } from '#/lib/time.ts';
import { seriesInfo } from '#/features/events/series-view.ts';
import { getTranslator } from '#/lib/i18n.ts';

/** GET /api/v1/events[?from=YYYY-MM-DD][&locale=]: published events not ended by the start of that day (Rome). */
export const GET: APIRoute = async (context) => {
  const raw = context.url.searchParams.get('from');
  const day = raw === null ? undefined : parseDateOnly(raw);
  if (raw !== null && !day) return apiError(400, 'invalid_from', { message: 'from must be a date as YYYY-MM-DD' });
  const from = day ? romeToInstant(day.year, day.month, day.day) : new Date();
  const locale = requestedLocale(context.url);
  const db = await getDb();
  // A recurring activity is one entry, its next date, with its coming dates under `series` (#13).
  const events = await listUpcomingEvents(db, { from, limit: 500 });
  const series = await seriesInfo(
    db,
    events.flatMap((e) => (e.seriesId === null ? [] : [e.seriesId])),
    from,
  );
  // Without ?from the answer depends on the clock; a short cache keeps it fresh.
  cacheLiveData(context, [CACHE_TAGS.events]);
  const origin = publicOrigin();
  const t = getTranslator(locale);
  return json(
    events.map((e) =>
      eventToJson(e, locale, origin, { t, ...(e.seriesId === null ? {} : { series: series.get(e.seriesId) }) }),
    ),
  );
};
