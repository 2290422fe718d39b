import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { listUpcomingEvents } from '#/features/events/events.ts';
import { CACHE_TAGS, cacheLiveData, routeLocale } from '#/server/cache/live-page.ts';
import { buildRss } from '#/features/events/event-formats.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { formatDateAndTime } from '#/lib/format.ts';
import { pagePath } from '#/lib/paths.ts';
import { conditionalResponse } from '#/server/http/conditional-get.ts';
import { repeatText } from '#/features/events/series-view.ts';

export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const t = getTranslator(locale);
  const events = await listUpcomingEvents(await getDb(), { from: new Date() });
  cacheLiveData(context, [CACHE_TAGS.events]);
  const body = buildRss(events, {
    locale,
    origin: publicOrigin(),
    title: `${t('events.title')} – ${t('site.name')}`,
    description: t('events.lead'),
    channelPath: pagePath(locale, 'events'),
    cancelledLabel: t('openData.rss.cancelled'),
    // A recurring activity is one item, its next date with "every Tuesday" (#13).
    formatWhen: (e) =>
      `${formatDateAndTime(e.startsAt, e.endsAt, locale)}${e.seriesRule ? ` (${repeatText(e.seriesRule, t, locale)})` : ''}`,
  });
  return conditionalResponse(context.request, body, { contentType: 'application/rss+xml; charset=utf-8' });
};
