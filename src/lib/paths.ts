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

/**
 * The query parameters each route reads, by Astro route pattern. Canonical, hreflang and
 * language-switcher links keep only these (a `utm_*`, `fbclid` or any other parameter is not copied
 * into them), and the front cache keys the route's answers by these only, so an unknown parameter
 * is a hit of the same entry. A route that reads a parameter must be listed here; a page not listed
 * reads none (its links carry no query), and the front cache keys an unlisted route by every
 * parameter but the tracking ones, the safe side for a cached route someone forgot to list.
 */
export const QUERY_PARAMS: Readonly<Record<string, readonly string[]>> = {
  '/[locale]/sportelli': ['municipio'],
  '/[locale]/eventi': ['pagina'],
  '/[locale]/sportelli/[slug]/prenota': ['settimana'],
  '/[locale]/sportelli/[slug]/prenota/dettagli': ['slot'],
  '/[locale]/sportelli/[slug]/prenota/contatti': ['slot'],
  '/[locale]/sportelli/[slug]/prenota/riepilogo': ['slot'],
  '/[locale]/sportelli/[slug]/prenota/confermata': ['c'],
  '/[locale]/sportelli/[slug]/prenota/appuntamento.ics': ['c'],
  '/[locale]/prenotazione/annulla': ['esito', 'passo'],
  '/[locale]/prenotazione/gestisci': ['token', 'azione', 'esito', 'settimana'],
  '/[locale]/zaino-sospeso/grazie': ['c'],
  '/[locale]/zaino-sospeso/consegna.ics': ['c'],
  '/[locale]/zaino-sospeso/gestisci': ['token', 'azione', 'esito'],
  '/[locale]/volontari/conferma': ['token'],
  '/[locale]/volontari/ritira': ['token', 'esito'],
  '/[locale]': [],
  '/[locale]/sportelli/[slug]': [],
  '/[locale]/eventi/[slug]': [],
  '/[locale]/zaino-sospeso': [],
  '/[locale]/eventi/feed.xml': [],
  '/[locale]/eventi/calendario.ics': [],
  '/[locale]/eventi/[slug].ics': [],
  '/sitemap-pages.xml': [],
  '/api/v1/desks': ['municipio', 'locale'],
  '/api/v1/events': ['from', 'locale'],
  '/api/v1/desks/[slug]/slots': ['from', 'to'],
  '/api/v1/campaigns/[slug]': ['locale'],
};

/** The parameters a route reads, or undefined when it is not listed in QUERY_PARAMS. */
export function readParams(routePattern: string): readonly string[] | undefined {
  return Object.hasOwn(QUERY_PARAMS, routePattern) ? QUERY_PARAMS[routePattern] : undefined;
}

/** "?a=1&b=2" with only the named parameters, in the order they came; "" when none is left. */
export function keptQuery(params: URLSearchParams, names: readonly string[]): string {
  const kept = new URLSearchParams([...params].filter(([name]) => names.includes(name)));
  const query = kept.toString();
  return query ? `?${query}` : '';
}

/**
 * The path the visitor asked for. A page reached by a rewrite (the 404 page of a missing desk)
 * sees "/404" as its URL; Astro keeps the original, decoded, as originPathname.
 */
export function askedPath(url: URL, originPathname: string): string {
  if (originPathname === url.pathname) return currentPath(url);
  const encoded = originPathname.split('/').map(encodeURIComponent).join('/');
  return currentPath(new URL(encoded, url));
}
