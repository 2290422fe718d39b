// The site's languages. Italian is the default and the fallback for every text.
import Negotiator from 'negotiator';

export const LOCALES = ['it', 'en', 'ar', 'es', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'it';
/** Locales of the staff area (Italian and English). */
export const STAFF_LOCALES = ['it', 'en'] as const;
export type StaffLocale = (typeof STAFF_LOCALES)[number];

/** BCP 47 tags used for Intl formatting and hreflang. Arabic keeps Latin digits so times and phone numbers read the same everywhere. */
export const LOCALE_TAGS: Record<Locale, string> = {
  it: 'it-IT',
  en: 'en-GB',
  ar: 'ar-u-nu-latn',
  es: 'es-ES',
  zh: 'zh-Hans',
};
export const HREFLANG: Record<Locale, string> = { it: 'it', en: 'en', ar: 'ar', es: 'es', zh: 'zh-Hans' };
export const LOCALE_NAMES: Record<Locale, string> = {
  it: 'Italiano',
  en: 'English',
  ar: 'العربية',
  es: 'Español',
  zh: '中文',
};
export const RTL_LOCALES: ReadonlySet<Locale> = new Set(['ar']);

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
  return RTL_LOCALES.has(locale) ? 'rtl' : 'ltr';
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

/**
 * Picks the best supported locale from an Accept-Language header (RFC 9110 quality values), with
 * `negotiator` (as Express does). A regional range finds its language, so "zh-TW" and "es-419"
 * still find zh and es; Italian otherwise.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const [best] = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).languages(LOCALES);
  return isLocale(best) ? best : DEFAULT_LOCALE;
}
