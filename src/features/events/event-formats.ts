// The public representations of an event: schema.org JSON-LD, iCalendar and RSS entries.
import type { PublicEvent } from './events.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { eventPath, eventsFilePath, pagePath } from '#/lib/paths.ts';
import { getTranslator } from '#/lib/i18n.ts';
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
    // The QuBì network runs the programme (its about page is the url); the partners have no website on file.
    organizer: [
      {
        '@type': 'Organization',
        name: getTranslator(locale)('site.name'),
        url: new URL(pagePath(locale, 'about'), origin).href,
      },
      ...event.organisers.map((name) => ({ '@type': 'Organization', name })),
    ],
    offers: eventOffer(event, locale, origin),
    // Only when known: the price is free text today ("entry by free offer" is not free), so it is left out.
  };
}

/** How to get in: the sign-up page while seats are open, else the event page; the price note as its words. */
function eventOffer(event: PublicEvent, locale: Locale, origin: string): Record<string, unknown> {
  const full = event.seats !== null && event.seats.left <= 0;
  return {
    '@type': 'Offer',
    url: new URL(eventPath(locale, event.slug), origin).href,
    availability: event.status === 'cancelled' || full ? 'https://schema.org/SoldOut' : 'https://schema.org/InStock',
    ...(event.priceNote ? { description: localize(event.priceNote, locale) } : {}),
    ...(event.seats ? { inventoryLevel: { '@type': 'QuantitativeValue', value: event.seats.left } } : {}),
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
    // Every change of the event gives a higher SEQUENCE, so a new download or email replaces the old entry.
    sequence: eventSequence(event.updatedAt),
    // The networks' events without an end time are afternoons of games and workshops: about two hours.
    ...(event.endsAt ? {} : { duration: EVENT_DEFAULT_DURATION }),
  };
}

export const EVENT_DEFAULT_DURATION = 'PT2H';
const SEQUENCE_EPOCH = Date.UTC(2026, 0, 1);

/** Seconds from 2026 to the event's last change: grows with every edit and fits a 32-bit integer for decades. */
export function eventSequence(updatedAt: Date): number {
  return Math.max(0, Math.floor((updatedAt.getTime() - SEQUENCE_EPOCH) / 1000));
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
    /** "Cancelled", in the feed's language: put before a cancelled event's title. */
    cancelledLabel: string;
  },
): string {
  const { locale, origin } = options;
  const items = events
    .map((e) => {
      const url = new URL(eventPath(locale, e.slug), origin).href;
      const cancelled = e.status === 'cancelled';
      // Readers show the title: the word says it; the category lets a program filter on it.
      const title = cancelled ? `${options.cancelledLabel}: ${localize(e.title, locale)}` : localize(e.title, locale);
      return `<item><title>${escapeHtml(title)}</title>${cancelled ? '<category>cancelled</category>' : ''}<link>${escapeHtml(url)}</link><guid isPermaLink="true">${escapeHtml(url)}</guid><pubDate>${e.updatedAt.toUTCString()}</pubDate><description>${escapeHtml(`${options.formatWhen(e)} – ${e.venue}. ${localize(e.summary, locale)}`)}</description></item>`;
    })
    .join('');
  // The feed changed when its newest-changed item did (an empty feed says nothing of when).
  const lastChange = events.reduce<Date | undefined>(
    (latest, e) => (!latest || e.updatedAt > latest ? e.updatedAt : latest),
    undefined,
  );
  const lastBuildDate = lastChange ? `<lastBuildDate>${lastChange.toUTCString()}</lastBuildDate>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${escapeHtml(options.title)}</title><link>${escapeHtml(new URL(options.channelPath, origin).href)}</link><atom:link href="${escapeHtml(new URL(eventsFilePath(locale, 'feed.xml'), origin).href)}" rel="self" type="application/rss+xml"/><description>${escapeHtml(options.description)}</description><language>${locale}</language>${lastBuildDate}${items}</channel></rss>\n`;
}
