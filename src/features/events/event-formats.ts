// The public representations of an event: schema.org JSON-LD, iCalendar and RSS entries.
import type { PublicEvent } from './events.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { eventPath, eventsFilePath } from '#/lib/paths.ts';
import { toRomeIso } from '#/lib/time.ts';
import type { IcsEvent } from '#/lib/ics.ts';
import { markdownToPlainText } from './markdown.ts';
import { escapeHtml } from '#/lib/text.ts';

export function eventJsonLd(event: PublicEvent, locale: Locale, origin: string): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: localize(event.title, locale),
    description: localize(event.summary, locale),
    startDate: toRomeIso(event.startsAt),
    ...(event.endsAt ? { endDate: toRomeIso(event.endsAt) } : {}),
    eventStatus:
      event.status === 'cancelled' ? 'https://schema.org/EventCancelled' : 'https://schema.org/EventScheduled',
    eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
    inLanguage: locale,
    url: new URL(eventPath(locale, event.slug), origin).href,
    location: {
      '@type': 'Place',
      name: event.venue,
      address: {
        '@type': 'PostalAddress',
        streetAddress: event.address,
        addressLocality: 'Milano',
        addressCountry: 'IT',
      },
    },
    organizer: event.organisers.map((name) => ({ '@type': 'Organization', name })),
    isAccessibleForFree: true,
  };
}

/** JSON for a <script type="application/ld+json">: "<" is escaped so no text can close the element. */
export function serializeJsonLd(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

export function eventToIcs(event: PublicEvent, locale: Locale, origin: string): IcsEvent {
  const url = new URL(eventPath(locale, event.slug), origin).href;
  return {
    uid: `event-${event.id}@${new URL(origin).hostname}`,
    start: event.startsAt,
    end: event.endsAt,
    summary: localize(event.title, locale),
    // Calendars show plain text: the partner's Markdown is reduced to its words.
    description: `${markdownToPlainText(localize(event.description, locale))}\n\n${url}`,
    location: `${event.venue}, ${event.address}`,
    url,
    cancelled: event.status === 'cancelled',
    updated: event.updatedAt,
  };
}

export function buildRss(
  events: PublicEvent[],
  options: {
    locale: Locale;
    origin: string;
    title: string;
    description: string;
    channelPath: string;
    formatWhen: (e: PublicEvent) => string;
  },
): string {
  const { locale, origin } = options;
  const items = events
    .map((e) => {
      const url = new URL(eventPath(locale, e.slug), origin).href;
      return `<item><title>${escapeHtml(localize(e.title, locale))}</title><link>${escapeHtml(url)}</link><guid isPermaLink="true">${escapeHtml(url)}</guid><pubDate>${e.updatedAt.toUTCString()}</pubDate><description>${escapeHtml(`${options.formatWhen(e)} – ${e.venue}. ${localize(e.summary, locale)}`)}</description></item>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${escapeHtml(options.title)}</title><link>${escapeHtml(new URL(options.channelPath, origin).href)}</link><atom:link href="${escapeHtml(new URL(eventsFilePath(locale, 'feed.xml'), origin).href)}" rel="self" type="application/rss+xml"/><description>${escapeHtml(options.description)}</description><language>${locale}</language>${items}</channel></rss>\n`;
}
