import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData, routeLocale } from '#/server/cache/live-page.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { eventToIcs } from '#/features/events/event-formats.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';

export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  const event = locale && (await getPublicEventBySlug(await getDb(), context.params.slug ?? ''));
  if (!locale || !event) return context.rewrite('/404');
  cacheLiveData(context, [CACHE_TAGS.events, `event:${event.slug}`]);
  const origin = publicOrigin();
  const body = buildCalendar([eventToIcs(event, locale, origin)], { now: event.updatedAt });
  return conditionalResponse(context.request, body, {
    contentType: 'text/calendar; charset=utf-8',
    lastModified: event.updatedAt,
    headers: { 'Content-Disposition': `attachment; filename="${event.slug}.ics"` },
  });
};
