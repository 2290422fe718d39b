import type { APIRoute } from 'astro';
import { publicOrigin } from '../../../lib/server/config.ts';
import { getDb } from '../../../lib/server/db/index.ts';
import { listUpcomingEvents } from '../../../lib/server/events.ts';
import { CACHE_TAGS, cacheLiveData, routeLocale } from '../../../lib/server/live-page.ts';
import { buildCalendar } from '../../../lib/ics.ts';
import { eventToIcs } from '../../../lib/event-formats.ts';
import { getTranslator } from '../../../lib/i18n.ts';

/** A subscribable calendar of the locale's upcoming events (and those of the past 30 days). */
export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const events = await listUpcomingEvents(await getDb(), { from: new Date(Date.now() - 30 * 86400000), limit: 500 });
  cacheLiveData(context, [CACHE_TAGS.events]);
  const origin = publicOrigin();
  const body = buildCalendar(events.map((e) => eventToIcs(e, locale, origin)), { name: getTranslator(locale)('events.feed.calendarName') });
  return new Response(body, { headers: { 'Content-Type': 'text/calendar; charset=utf-8' } });
};
