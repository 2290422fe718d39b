// Dates, times and numbers as people read them in their language, always in Milan's time zone.
import { LOCALE_TAGS, localeRecord, type Locale } from './locales.ts';
import { TIME_ZONE } from './time.ts';

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE_TAGS[locale], { timeZone: TIME_ZONE, ...options });
    cache.set(key, f);
  }
  return f;
}

/** "italiano, inglese e arabo": items joined as the reader's language joins them. */
export function formatList(items: string[], locale: Locale): string {
  return new Intl.ListFormat(LOCALE_TAGS[locale], { type: 'conjunction' }).format(items);
}

/** "martedì 22 dicembre 2026" */
export function formatLongDate(date: Date, locale: Locale): string {
  return formatter(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}

/** "mar 22 dic" */
export function formatShortDate(date: Date, locale: Locale): string {
  return formatter(locale, { weekday: 'short', day: 'numeric', month: 'short' }).format(date);
}

/** "14:30" (24-hour clock in every language: it is what the desks' flyers use) */
export function formatTime(date: Date, locale: Locale): string {
  return formatter(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

/** "14:30–17:30", or just the start when the end is not known. */
export function formatTimeRange(start: Date, end: Date | null, locale: Locale): string {
  return end ? `${formatTime(start, locale)}–${formatTime(end, locale)}` : formatTime(start, locale);
}

/**
 * The comma between a date and its time: Arabic and Chinese have their own ("،", "，"); a Latin
 * comma in their text reads as a typo. Each locale's record (locales.ts) says which.
 */
export function dateTimeComma(locale: Locale): string {
  return localeRecord(locale).comma;
}

/** "martedì 22 dicembre 2026, 14:30–17:30" in the reader's own punctuation. */
export function formatDateAndTime(start: Date, end: Date | null, locale: Locale): string {
  return `${formatLongDate(start, locale)}${dateTimeComma(locale)}${formatTimeRange(start, end, locale)}`;
}

// 5 January 2026 is a Monday: adding (weekday - 1) days gives any ISO weekday.
const MONDAY = Date.UTC(2026, 0, 5, 12);

/** Name of an ISO weekday (1 = Monday) in the locale, e.g. "martedì". */
export function weekdayName(isoWeekday: number, locale: Locale): string {
  return formatter(locale, { weekday: 'long' }).format(new Date(MONDAY + (isoWeekday - 1) * 86400000));
}

/** "tel:+393123456789" — Italian numbers get the +39 prefix so they dial from any SIM. */
export function telHref(phone: string): string {
  const digits = phone.replace(/[^0-9+]/g, '');
  return `tel:${digits.startsWith('+') ? digits : `+39${digits}`}`;
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(LOCALE_TAGS[locale]).format(value);
}
