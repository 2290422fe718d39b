import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData, routeLocale } from '#/server/cache/live-page.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { eventToIcs, seriesToIcs } from '#/features/events/event-formats.ts';
import { seriesInfo } from '#/features/events/series-view.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';

export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  const db = await getDb();
  const event = locale && (await getPublicEventBySlug(db, context.params.slug ?? ''));
  if (!locale || !event) return context.rewrite('/404');
  cacheLiveData(context, [CACHE_TAGS.events, `event:${event.slug}`]);
  const origin = publicOrigin();
  // A date of a recurring activity adds the whole series: one VEVENT with RRULE and EXDATE (#13).
  const series = event.seriesId === null ? undefined : (await seriesInfo(db, [event.seriesId])).get(event.seriesId);
  const entries = series ? seriesToIcs(event, series, locale, origin) : [eventToIcs(event, locale, origin)];
  const body = buildCalendar(entries, { now: event.updatedAt });
  return conditionalResponse(context.request, body, {
    contentType: 'text/calendar; charset=utf-8',
    lastModified: event.updatedAt,
    headers: { 'Content-Disposition': `attachment; filename="${event.slug}.ics"` },
  });
};
