import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listCalendarEvents } from '#/features/events/calendar-window.ts';
import { CACHE_TAGS, cacheLiveData, routeLocale } from '#/server/cache/live-page.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { eventToIcs, seriesToIcs } from '#/features/events/event-formats.ts';
import { seriesInfo } from '#/features/events/series-view.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';

/** A subscribable calendar of the locale's events from 30 days ago to 90 days ahead (calendar-window.ts). */
export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const db = await getDb();
  const events = await listCalendarEvents(db);
  cacheLiveData(context, [CACHE_TAGS.events]);
  const origin = publicOrigin();
  // The list gives a recurring activity once; here it is its whole series, with RRULE and EXDATE (#13).
  const series = await seriesInfo(
    db,
    events.flatMap((e) => (e.seriesId === null ? [] : [e.seriesId])),
  );
  const body = buildCalendar(
    events.flatMap((e) => {
      const s = e.seriesId === null ? undefined : series.get(e.seriesId);
      return s ? seriesToIcs(e, s, locale, origin) : [eventToIcs(e, locale, origin)];
    }),
    { name: getTranslator(locale)('events.feed.calendarName') },
  );
  return conditionalResponse(context.request, body, { contentType: 'text/calendar; charset=utf-8' });
};
