// The public representations of an event: schema.org JSON-LD, iCalendar and RSS entries.
import type { PublicEvent } from './events.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { eventPath, eventsFilePath, pagePath } from '#/lib/paths.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { toRomeIso } from '#/lib/time.ts';
import type { IcsEvent } from '#/lib/ics.ts';
import { markdownToPlainText } from './markdown.ts';
import { escapeHtml } from '#/lib/text.ts';
import { parseDateOnly, romeToInstant } from '#/lib/time.ts';
import { audienceJsonLd, offersJsonLd, stopTransit, type EventStop } from './event-facts.ts';
import type { SeriesInfo } from './series-view.ts';
import { datedTimes, ruleDates, rruleValue } from './series-rule.ts';

/** A stop's start on the event's day (stops keep a local time of day, so a series' dates share them). */
function stopStart(stop: EventStop, event: PublicEvent): Date {
  const day = parseDateOnly(event.occurrenceDate ?? toRomeIso(event.startsAt).slice(0, 10))!;
  const [h, m] = stop.time.split(':').map(Number) as [number, number];
  return romeToInstant(day.year, day.month, day.day, h, m);
}

/** The stops as plain text lines, for the .ics description: "16:30 Place, address (transit)". */
export function stopsAsText(stops: readonly EventStop[], locale: Locale): string {
  return stops
    .map((s) => {
      const transit = stopTransit(s, locale);
      return `${s.time} ${s.place}, ${s.address}${transit ? ` (${transit})` : ''}`;
    })
    .join('\n');
}

const place = (name: string, address: string) => ({
  '@type': 'Place',
  name,
  address: { '@type': 'PostalAddress', streetAddress: address, addressLocality: 'Milano', addressCountry: 'IT' },
});

/**
 * schema.org Event. Stops are `subEvent`s (an Event each, with its start and Place: schema.org has
 * no itinerary for events); facts give `offers`, `isAccessibleForFree` and `audience`; a series'
 * rule is its `eventSchedule`.
 */
export function eventJsonLd(
  event: PublicEvent,
  locale: Locale,
  origin: string,
  series?: SeriesInfo,
): Record<string, unknown> {
  const url = new URL(eventPath(locale, event.slug), origin).href;
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
    url,
    location: place(event.venue, event.address),
    // The QuBì network runs the programme (its about page is the url); the partners have no website on file.
    organizer: [
      {
        '@type': 'Organization',
        name: getTranslator(locale)('site.name'),
        url: new URL(pagePath(locale, 'about'), origin).href,
      },
      ...event.organisers.map((name) => ({ '@type': 'Organization', name })),
    ],
    ...eventOffers(event, url, getTranslator(locale)('eventFacts.freeOffer')),
    ...audienceJsonLd(event.facts),
    ...(event.stops.length > 0
      ? {
          subEvent: event.stops.map((s) => ({
            '@type': 'Event',
            name: s.place,
            startDate: toRomeIso(stopStart(s, event)),
            location: place(s.place, s.address),
          })),
        }
      : {}),
    ...(series
      ? {
          eventSchedule: {
            '@type': 'Schedule',
            repeatFrequency:
              series.rule.frequency === 'monthly' ? 'P1M' : series.rule.frequency === 'fortnightly' ? 'P2W' : 'P1W',
            byDay: `https://schema.org/${['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][series.rule.weekday - 1]}`,
            startDate: series.rule.firstDay,
            endDate: series.rule.untilDay,
            startTime: series.rule.startsTime.slice(0, 5),
            ...(series.rule.endsTime ? { endTime: series.rule.endsTime.slice(0, 5) } : {}),
            scheduleTimezone: 'Europe/Rome',
          },
        }
      : {}),
  };
}

/** The price from the event's facts (offersJsonLd), with the availability and seats left. */
function eventOffers(event: PublicEvent, url: string, freeOfferText: string): Record<string, unknown> {
  const { offers, ...rest } = offersJsonLd(event.facts, url, freeOfferText) as { offers: Record<string, unknown> };
  const full = event.seats !== null && event.seats.left <= 0;
  return {
    ...rest,
    offers: {
      ...offers,
      availability: event.status === 'cancelled' || full ? 'https://schema.org/SoldOut' : 'https://schema.org/InStock',
      ...(event.seats ? { inventoryLevel: { '@type': 'QuantitativeValue', value: event.seats.left } } : {}),
    },
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
    // Calendars show plain text: the partner's Markdown is reduced to its words; then the stops.
    description: [markdownToPlainText(localize(event.description, locale)), stopsAsText(event.stops, locale), url]
      .filter(Boolean)
      .join('\n\n'),
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

/**
 * A recurring activity as one VEVENT with RRULE and EXDATE (holidays, closures, cancelled dates),
 * plus one VEVENT with RECURRENCE-ID for each date held on another day or time. `event` is the date
 * the reader opened: its content stands for the series'.
 */
export function seriesToIcs(event: PublicEvent, series: SeriesInfo, locale: Locale, origin: string): IcsEvent[] {
  const base = eventToIcs({ ...event, status: 'published' }, locale, origin);
  const uid = `series-${series.id}@${new URL(origin).hostname}`;
  // DTSTART is the rule's first date (held or not: a date not held is in EXDATE).
  const first = datedTimes(series.rule, ruleDates(series.rule)[0] ?? series.rule.firstDay);
  const main: IcsEvent = {
    ...base,
    uid,
    start: first.startsAt,
    end: first.endsAt,
    url: base.url,
    recurrence: {
      rrule: rruleValue(series.rule),
      exdates: series.skipped.map((s) => datedTimes(series.rule, s.day).startsAt),
    },
  };
  const moved = series.moved.map((m): IcsEvent => ({
    ...base,
    uid,
    start: m.startsAt,
    end: m.endsAt,
    url: new URL(eventPath(locale, m.slug), origin).href,
    recurrenceId: datedTimes(series.rule, m.day).startsAt,
  }));
  return [main, ...moved];
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
