import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listUpcomingEvents } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { eventToJson } from '#/features/open-data/api-shapes.ts';
import { EVENTS_LIMIT_DEFAULT, eventsQuery, queryOf } from '#/features/open-data/api-schemas.ts';
import { decodeEventCursor, encodeEventCursor } from '#/features/open-data/event-cursor.ts';
import { apiError, requestedLocale } from '#/server/http/api-respond.ts';
import { conditionalJson } from '#/server/http/conditional-get.ts';
import { parseDateOnly, romeToInstant } from '#/lib/time.ts';
import { seriesInfo } from '#/features/events/series-view.ts';
import { getTranslator } from '#/lib/i18n.ts';

/**
 * GET /api/v1/events[?from=YYYY-MM-DD][&limit=][&cursor=][&locale=]: published events not ended by
 * the start of that day (Rome), a page at a time; `Link: <…>; rel="next"` names the next page.
 */
export const GET: APIRoute = async (context) => {
  const query = eventsQuery.safeParse(queryOf(context.url));
  if (!query.success) {
    const field = String(query.error.issues[0]?.path[0] ?? 'from');
    return field === 'from'
      ? apiError(400, 'invalid_from', { message: 'from must be a date as YYYY-MM-DD' })
      : apiError(400, `invalid_${field}`, { message: `see /api/v1/openapi.json for ${field}` });
  }
  const { from: rawFrom, limit = EVENTS_LIMIT_DEFAULT, cursor: rawCursor } = query.data;
  const day = rawFrom === undefined ? undefined : parseDateOnly(rawFrom);
  if (rawFrom !== undefined && !day)
    return apiError(400, 'invalid_from', { message: 'from must be a date as YYYY-MM-DD' });
  const cursor = rawCursor === undefined ? undefined : decodeEventCursor(rawCursor);
  if (rawCursor !== undefined && !cursor)
    return apiError(400, 'invalid_cursor', { message: 'cursor must be one this API gave in a Link header' });
  // The next pages keep the first page's `from`: the list stays one list while the clock moves.
  const from = cursor?.from ?? (day ? romeToInstant(day.year, day.month, day.day) : new Date());
  const locale = requestedLocale(context.url);
  const db = await getDb();
  // One more than asked, to know whether there is a next page.
  const events = await listUpcomingEvents(db, { from, limit: limit + 1, after: cursor?.after });
  cacheLiveData(context, [CACHE_TAGS.events]);
  const origin = publicOrigin();
  const page = events.slice(0, limit);
  // A recurring activity is one entry, its next date, with its coming dates under `series` (#13).
  const series = await seriesInfo(
    db,
    page.flatMap((e) => (e.seriesId === null ? [] : [e.seriesId])),
    from,
  );
  const t = getTranslator(locale);
  const headers: Record<string, string> = {};
  const last = page.at(-1);
  if (events.length > limit && last) {
    const next = new URL('/api/v1/events', origin);
    next.searchParams.set('cursor', encodeEventCursor({ from, after: { startsAt: last.startsAt, id: last.id } }));
    next.searchParams.set('limit', String(limit));
    if (context.url.searchParams.has('locale')) next.searchParams.set('locale', locale);
    headers.Link = `<${next.href}>; rel="next"`;
  }
  return conditionalJson(
    context.request,
    page.map((e) =>
      eventToJson(e, locale, origin, { t, ...(e.seriesId === null ? {} : { series: series.get(e.seriesId) }) }),
    ),
    { headers },
  );
};
