// The structured facts of an event families filter on (issue #13): age bands, price, step-free
// access, LIS (Italian sign language), childcare during the activity, languages spoken; and the
// ordered stops of an itinerary. Pure: shapes, and their schema.org form.
import type { EventStopColumn, PriceKind } from '#/server/db/database.ts';
import { LOCALE_TAGS, localize, type Locale, type LocalizedText } from '#/lib/locales.ts';

// The same bands as a family's children on sign-up (party.ts): one list.
import { AGE_BANDS, type AgeBand } from './party.ts';
export { AGE_BANDS, type AgeBand };
export const PRICE_KINDS = ['free', 'free_offer', 'price'] as const satisfies readonly PriceKind[];
export const isAgeBand = (value: unknown): value is AgeBand => AGE_BANDS.includes(value as AgeBand);

export type EventStop = EventStopColumn;

export interface EventFacts {
  /** Empty: for every age. */
  ageBands: AgeBand[];
  priceKind: PriceKind;
  /** In euro cents, only with priceKind 'price'. */
  priceCents: number | null;
  /** Null: the partner did not say. */
  stepFree: boolean | null;
  lis: boolean;
  childcare: boolean;
  /** ISO 639 codes, e.g. ["it", "ar"]. */
  languages: string[];
}

export function factsOfRow(row: {
  age_bands: string[];
  price_kind: PriceKind;
  price_cents: number | null;
  step_free: boolean | null;
  lis: boolean;
  childcare: boolean;
  languages: string[];
}): EventFacts {
  return {
    ageBands: AGE_BANDS.filter((b) => row.age_bands.includes(b)),
    priceKind: row.price_kind,
    priceCents: row.price_cents,
    stepFree: row.step_free,
    lis: row.lis,
    childcare: row.childcare,
    languages: row.languages,
  };
}

/** "12,50 €" in the reader's language. */
export function formatPrice(cents: number, locale: Locale): string {
  return new Intl.NumberFormat(LOCALE_TAGS[locale], { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

/**
 * schema.org: `isAccessibleForFree` is true for free entry and for a free offer (no one pays to
 * come in); `offers` says the price (0 for both free forms, the amount otherwise) in euro. A free
 * offer says so in the page's language (`freeOfferText`, the page's "eventFacts.freeOffer").
 */
export function offersJsonLd(facts: EventFacts, url: string, freeOfferText: string): Record<string, unknown> {
  const price = facts.priceKind === 'price' && facts.priceCents !== null ? (facts.priceCents / 100).toFixed(2) : '0';
  return {
    isAccessibleForFree: facts.priceKind !== 'price',
    offers: {
      '@type': 'Offer',
      price,
      priceCurrency: 'EUR',
      url,
      ...(facts.priceKind === 'free_offer' ? { description: freeOfferText } : {}),
    },
  };
}

/** The audience in schema.org: the age range the bands cover (none: every age). */
export function audienceJsonLd(facts: EventFacts): Record<string, unknown> {
  if (facts.ageBands.length === 0) return {};
  const bounds = facts.ageBands.flatMap((b) => b.split('-').map(Number));
  return {
    audience: {
      '@type': 'PeopleAudience',
      suggestedMinAge: Math.min(...bounds),
      suggestedMaxAge: Math.max(...bounds),
    },
  };
}

/** A stop's transit hint in the reader's language, or null. */
export const stopTransit = (stop: EventStop, locale: Locale): string | null =>
  stop.transit ? localize(stop.transit as LocalizedText, locale) : null;
