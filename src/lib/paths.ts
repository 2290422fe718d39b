// URLs of the public site. Every page lives under its locale prefix with the same path in every
// language, so switching language only swaps the first segment.
import { isLocale, type Locale } from './locales.ts';

export const SECTIONS = {
  desks: 'sportelli',
  events: 'eventi',
  campaign: 'zaino-sospeso',
  about: 'chi-siamo',
  privacy: 'privacy',
  accessibility: 'accessibilita',
  legal: 'note-legali',
  faq: 'faq',
} as const;
export type Section = keyof typeof SECTIONS;

export function pagePath(locale: Locale, section?: Section, ...rest: string[]): string {
  const parts = [locale, ...(section ? [SECTIONS[section]] : []), ...rest.map(encodeURIComponent)];
  return `/${parts.join('/')}`;
}

export function deskPath(locale: Locale, slug: string): string {
  return pagePath(locale, 'desks', slug);
}
export function eventPath(locale: Locale, slug: string): string {
  return pagePath(locale, 'events', slug);
}
export function eventIcsPath(locale: Locale, slug: string): string {
  return `${eventPath(locale, slug)}.ics`;
}

/** The same page in another language; paths without a locale prefix get one. */
export function switchLocale(pathname: string, locale: Locale): string {
  const segments = pathname.split('/');
  if (isLocale(segments[1])) segments[1] = locale;
  else segments.splice(1, 0, locale);
  const path = segments.join('/').replace(/\/+$/, '');
  return path || `/${locale}`;
}

/** The page's path without the ".html" that prerendered pages see at build time. */
export function currentPath(url: URL): string {
  return url.pathname.replace(/\.html$/, '').replace(/(.)\/$/, '$1');
}

/** Slugs as the schema allows them; anything else (NUL bytes, 10 KB of junk) is simply not found. */
export function isSlug(value: string): boolean {
  return value.length <= 120 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value);
}
