// The site's languages. Italian is the default and the fallback for every text.
export const LOCALES = ['it', 'en', 'ar', 'es', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'it';

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
 * Picks the best supported locale from an Accept-Language header (RFC 9110 quality values).
 * Matches on the primary subtag, so "zh-TW" and "es-419" still find zh and es; Italian otherwise.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranges = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return {
        primary: tag.trim().toLowerCase().split('-')[0] ?? '',
        quality: Number.isFinite(quality) ? quality : 0,
        index,
      };
    })
    .filter((r) => r.primary && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    if (isLocale(range.primary)) return range.primary;
  }
  return DEFAULT_LOCALE;
}
