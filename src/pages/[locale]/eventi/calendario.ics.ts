import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listUpcomingEvents } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData, routeLocale } from '#/server/cache/live-page.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { eventToIcs } from '#/features/events/event-formats.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';

/** A subscribable calendar of the locale's upcoming events (and those of the past 30 days). */
export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const events = await listUpcomingEvents(await getDb(), { from: new Date(Date.now() - 30 * 86400000), limit: 500 });
  cacheLiveData(context, [CACHE_TAGS.events]);
  const origin = publicOrigin();
  const body = buildCalendar(
    events.map((e) => eventToIcs(e, locale, origin)),
    { name: getTranslator(locale)('events.feed.calendarName') },
  );
  return conditionalResponse(context.request, body, { contentType: 'text/calendar; charset=utf-8' });
};
