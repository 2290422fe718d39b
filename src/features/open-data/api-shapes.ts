// JSON shapes of the open-data API (/api/v1), documented in docs/api.md. Pure functions of the
// domain objects, so the shapes are tested without a server; each returns the type of its zod
// schema (api-schemas.ts), which /api/v1/openapi.json publishes.
import type { z } from 'astro/zod';
import type { Desk } from '#/features/desks/desks.ts';
import type { PublicEvent } from '#/features/events/events.ts';
import type { SeriesInfo } from '#/features/events/series-view.ts';
import type { Translate } from '#/lib/i18n.ts';
import { repeatText } from '#/features/events/series-view.ts';
import { stopTransit } from '#/features/events/event-facts.ts';
import type { Campaign } from '#/features/campaign/campaigns.ts';
import type { BookingSummary } from '#/features/booking/create-booking.ts';
import type { SlotAvailability } from '#/features/booking/slot-availability.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { toRomeIso } from '#/lib/time.ts';
import { deskPath, eventPath, managePath } from '#/lib/paths.ts';
import type { campaignSchema, deskSchema, eventSchema, slotSchema } from './api-schemas.ts';

export function deskToJson(desk: Desk, locale: Locale, origin: string): z.input<typeof deskSchema> {
  return {
    slug: desk.slug,
    name: desk.name,
    municipio: desk.municipioId,
    area: desk.area,
    address: desk.address,
    phone: desk.phone,
    services: desk.services,
    description: desk.description ? localize(desk.description, locale) : null,
    hours: desk.hours.map((h) => ({ weekday: h.weekday, opens: h.opens, closes: h.closes })),
    slotMinutes: desk.slotMinutes,
    sampleAddress: desk.isSampleAddress,
    languages: desk.facts.languages,
    mediatorWeekdays: desk.facts.mediatorWeekdays,
    stepFree: desk.facts.stepFree,
    whatToBring: desk.facts.whatToBring ? localize(desk.facts.whatToBring, locale) : null,
    transit: desk.facts.transit,
    coordinates: desk.facts.coordinates,
    sampleFacts: desk.facts.isSample,
    url: new URL(deskPath(locale, desk.slug), origin).href,
  };
}

/**
 * A recurring activity is listed once, as its next date (issue #13): `occurrence` is that date and
 * `series` gives the rule in words and in fields, and its coming dates with their own seats.
 */
function seriesJson(series: SeriesInfo, locale: Locale, origin: string, t: Translate) {
  const r = series.rule;
  return {
    slug: series.slug,
    repeats: repeatText(r, t, locale),
    rule: {
      frequency: r.frequency,
      weekday: r.weekday,
      weekOfMonth: r.weekOfMonth,
      from: r.firstDay,
      until: r.untilDay,
      starts: r.startsTime.slice(0, 5),
      ends: r.endsTime ? r.endsTime.slice(0, 5) : null,
    },
    sampleTimes: series.timesAreSample,
    occurrences: series.coming.map((d) => ({
      date: d.day,
      slug: d.slug,
      start: toRomeIso(d.startsAt),
      end: d.endsAt ? toRomeIso(d.endsAt) : null,
      status: d.status,
      seats: d.seats,
      url: new URL(eventPath(locale, d.slug), origin).href,
    })),
  };
}

export function eventToJson(
  event: PublicEvent,
  locale: Locale,
  origin: string,
  extra?: { series?: SeriesInfo; t: Translate },
): z.input<typeof eventSchema> {
  return {
    slug: event.slug,
    title: localize(event.title, locale),
    summary: localize(event.summary, locale),
    description: localize(event.description, locale),
    status: event.status,
    start: toRomeIso(event.startsAt),
    end: event.endsAt ? toRomeIso(event.endsAt) : null,
    venue: event.venue,
    address: event.address,
    transitHint: event.transitHint ? localize(event.transitHint, locale) : null,
    priceNote: event.priceNote ? localize(event.priceNote, locale) : null,
    municipio: event.municipioId,
    organisers: event.organisers,
    seats: event.seats,
    url: new URL(eventPath(locale, event.slug), origin).href,
    ics: new URL(`${eventPath(locale, event.slug)}.ics`, origin).href,
    facts: {
      ageBands: event.facts.ageBands,
      price: event.facts.priceKind,
      priceEuro: event.facts.priceCents === null ? null : event.facts.priceCents / 100,
      stepFree: event.facts.stepFree,
      lis: event.facts.lis,
      childcare: event.facts.childcare,
      languages: event.facts.languages,
    },
    stops: event.stops.map((s) => ({
      time: s.time,
      place: s.place,
      address: s.address,
      transitHint: stopTransit(s, locale),
    })),
    occurrence: event.occurrenceDate,
    series: extra?.series ? seriesJson(extra.series, locale, origin, extra.t) : null,
  };
}

export function campaignToJson(campaign: Campaign, locale: Locale): z.input<typeof campaignSchema> {
  return {
    slug: campaign.slug,
    title: localize(campaign.title, locale),
    summary: localize(campaign.summary, locale),
    items: campaign.items.map((i) => ({
      slug: i.slug,
      name: localize(i.name, locale),
      target: i.target,
      pledged: i.pledged,
      remaining: i.remaining,
    })),
    dropOffPoints: campaign.dropOffPoints.map((p) => ({
      slug: p.slug,
      name: p.name,
      address: p.address,
      municipio: p.municipioId,
      notes: p.notes ? localize(p.notes, locale) : null,
    })),
    collectionWindows: campaign.dropOffPoints.flatMap((p) =>
      p.windows.map((w) => ({
        id: w.id,
        dropOffPoint: p.slug,
        start: toRomeIso(w.startsAt),
        end: toRomeIso(w.endsAt),
      })),
    ),
  };
}

export function slotToJson(slot: SlotAvailability): z.input<typeof slotSchema> {
  return { start: toRomeIso(slot.start), end: toRomeIso(slot.end), capacity: slot.capacity, remaining: slot.remaining };
}

/**
 * A booking made through the API. `manageUrl` carries the secret manage token, which exists only in
 * the answer to the request that created the booking (the database keeps its hash), so it is null
 * for a booking without email and for a repeated submission.
 */
export function bookingToJson(booking: BookingSummary, manageToken: string | null, locale: Locale, origin: string) {
  return {
    reference: booking.reference,
    desk: booking.deskSlug,
    start: toRomeIso(booking.start),
    end: toRomeIso(booking.end),
    manageUrl: manageToken ? `${origin}${managePath(locale, manageToken)}` : null,
  };
}
