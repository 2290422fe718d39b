// The site's languages. Italian is the default and the fallback for every text.
// Adding a language: its strings in src/locales/<code>.json and one record below (docs/architecture.md,
// "How to add a language"); everything else (routes, switcher, sitemaps, forms, SMS, tests) reads this.
import Negotiator from 'negotiator';

interface LocaleRecord {
  /** BCP 47 tag for Intl (dates, numbers, plural rules). */
  tag: string;
  /** The tag in `lang` and `hreflang` attributes. */
  hreflang: string;
  /** The language's name in itself, as the switcher shows it. */
  name: string;
  dir: 'ltr' | 'rtl';
  /** Written in Latin script: SMS in the GSM alphabet (160 characters a part) and the Titillium web font. Otherwise UCS-2 (70) and system fonts. */
  latin: boolean;
  /** The comma between a date and its time ("martedì 8 dicembre, 10:00"). */
  comma: string;
  /** Other Accept-Language ranges that mean this language ("fil" for Tagalog). */
  also?: readonly string[];
  /** In SMS, the day as "14/12" instead of "lun 14 dic" (where spelt-out names would need a third UCS-2 part). */
  smsNumericDate?: boolean;
}

// Arabic and Bengali keep Latin digits (-u-nu-latn) so times, dates, phone numbers and booking references
// read the same as on the desk's flyer, the phone's keypad and the staff's screen.
// One line per language (prettier-ignore keeps them so).
// prettier-ignore
const LOCALE_RECORDS = {
  it: { tag: 'it-IT', hreflang: 'it', name: 'Italiano', dir: 'ltr', latin: true, comma: ', ' },
  en: { tag: 'en-GB', hreflang: 'en', name: 'English', dir: 'ltr', latin: true, comma: ', ' },
  ar: { tag: 'ar-u-nu-latn', hreflang: 'ar', name: 'العربية', dir: 'rtl', latin: false, comma: '، ', smsNumericDate: true },
  es: { tag: 'es-ES', hreflang: 'es', name: 'Español', dir: 'ltr', latin: true, comma: ', ' },
  zh: { tag: 'zh-Hans', hreflang: 'zh-Hans', name: '中文', dir: 'ltr', latin: false, comma: '，' },
  tl: { tag: 'fil-PH', hreflang: 'tl', name: 'Tagalog', dir: 'ltr', latin: true, comma: ', ', also: ['fil'] },
  uk: { tag: 'uk-UA', hreflang: 'uk', name: 'Українська', dir: 'ltr', latin: false, comma: ', ' },
  bn: { tag: 'bn-BD-u-nu-latn', hreflang: 'bn', name: 'বাংলা', dir: 'ltr', latin: false, comma: ', ', smsNumericDate: true },
} as const satisfies Record<string, LocaleRecord>;

export type Locale = keyof typeof LOCALE_RECORDS;
export const LOCALES = Object.keys(LOCALE_RECORDS) as [Locale, ...Locale[]];
export const DEFAULT_LOCALE: Locale = 'it';
/** Locales of the staff area (Italian and English). */
export const STAFF_LOCALES = ['it', 'en'] as const;
export type StaffLocale = (typeof STAFF_LOCALES)[number];

/** A locale's record: its Intl tag, hreflang, own name, direction, script. */
export function localeRecord(locale: Locale): LocaleRecord {
  return LOCALE_RECORDS[locale];
}

const pick = <K extends keyof LocaleRecord>(field: K) =>
  Object.fromEntries(LOCALES.map((l) => [l, localeRecord(l)[field]])) as Record<Locale, LocaleRecord[K]>;
/** BCP 47 tags used for Intl formatting. */
export const LOCALE_TAGS = pick('tag');
export const HREFLANG = pick('hreflang');
export const LOCALE_NAMES = pick('name');
export const RTL_LOCALES: ReadonlySet<Locale> = new Set(LOCALES.filter((l) => LOCALE_RECORDS[l].dir === 'rtl'));
/** Languages written in Latin script: SMS in the GSM alphabet, pages in the site's web font. */
export const LATIN_LOCALES: ReadonlySet<Locale> = new Set(LOCALES.filter((l) => LOCALE_RECORDS[l].latin));

const languageNames = new Map<Locale, Intl.DisplayNames>();
/** A language's name in the reader's language: "ar" → "arabo" in Italian, "Arabic" in English. */
export function languageName(code: string, locale: Locale): string {
  let names = languageNames.get(locale);
  if (!names) languageNames.set(locale, (names = new Intl.DisplayNames([LOCALE_TAGS[locale]], { type: 'language' })));
  return names.of(code) ?? code;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function textDirection(locale: Locale): 'rtl' | 'ltr' {
  return LOCALE_RECORDS[locale].dir;
}

/** Text written per locale (by partners or in the seed): Italian is required, the others fall back to it. */
export type LocalizedText = { it: string } & Partial<Record<Locale, string>>;

export function localize(text: LocalizedText, locale: Locale): string {
  const value = text[locale];
  return value && value.trim() ? value : text.it;
}

/** True when the text shown for `locale` is the Italian fallback (so the page can mark it with lang="it"). */
export function isFallback(text: LocalizedText, locale: Locale): boolean {
  return locale !== 'it' && !(text[locale] && text[locale]!.trim());
}

/** Each Accept-Language range a locale answers to, with the locale it means ("fil" → tl). */
const RANGES: Map<string, Locale> = new Map(
  LOCALES.flatMap((l) => [l, ...((LOCALE_RECORDS[l] as LocaleRecord).also ?? [])].map((range) => [range, l] as const)),
);

/**
 * Picks the best supported locale from an Accept-Language header (RFC 9110 quality values), with
 * `negotiator` (as Express does). A regional range finds its language, so "zh-TW" and "es-419"
 * still find zh and es, and a locale's other names find it ("fil" finds Tagalog); Italian otherwise.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const [best] = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).languages([...RANGES.keys()]);
  return (best && RANGES.get(best)) || DEFAULT_LOCALE;
}
