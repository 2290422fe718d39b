// URLs of the site: the one table of its Italian slugs and the builders every page, action, email
// and test uses. Every page lives under its locale prefix with the same path in every language, so
// switching language only swaps the first segment. Nothing else writes a path by hand.
import { isLocale, STAFF_LOCALES, type Locale } from './locales.ts';

/** The public sections (each has an index page in the sitemap and the menus). */
export const SECTIONS = {
  desks: 'sportelli',
  events: 'eventi',
  campaign: 'zaino-sospeso',
  about: 'chi-siamo',
  privacy: 'privacy',
  accessibility: 'accessibilita',
  legal: 'note-legali',
  faq: 'faq',
  contacts: 'contatti',
  /** The model's topics ("argomenti", issue #14): the controlled vocabulary the service pages tag. */
  topics: 'argomenti',
} as const;
export type Section = keyof typeof SECTIONS;

/** The other first segments after the locale: forms and links sent by email, and the staff area. */
export const AREAS = {
  volunteers: 'volontari',
  /** A booking already made: manage it (from the email's link) or cancel it by reference. */
  booking: 'prenotazione',
  staff: 'staff',
  /** The site search's results page (issue #14): a GET form, server-side. */
  search: 'cerca',
  /** The steps of the rating component after its stars ("Valuta questo servizio", issue #14). */
  rating: 'valuta',
  /** A service the desks offer, with the model's sections (issue #14): /{locale}/servizi/{service}. */
  services: 'servizi',
} as const;

/** A desk's booking flow, under the desk: /{locale}/sportelli/{slug}/prenota[/{step}]. */
export const BOOK = 'prenota';
/** Steps after "choose a time" (the desk's /prenota page itself), and the confirmation's files. */
export type BookingPage = 'dettagli' | 'contatti' | 'riepilogo' | 'codice' | 'confermata' | 'appuntamento.ics';
export type BookingManagePage = 'gestisci' | 'annulla';
export type PledgePage = 'dona' | 'codice' | 'grazie' | 'gestisci' | 'consegna.ics';
export type VolunteerPage = 'grazie' | 'conferma' | 'ritira';
export type EventsFile = 'feed.xml' | 'calendario.ics';
/** An event's sign-up pages (issue #13), under the event: /{locale}/eventi/{slug}/{page}. */
export type EventSignUpPage = 'iscrizione' | 'codice' | 'iscritti' | 'non-veniamo';

/** /{locale}/cerca[?q=…]: the site search and its results. */
export function searchPath(locale: Locale, query?: Query): string {
  return withQuery(localePath(locale, AREAS.search), query);
}

/** /{locale}/valuta[?…]: the rating component's next step; its state (no personal data) is the query. */
export function ratingPath(locale: Locale, query?: Query): string {
  return withQuery(localePath(locale, AREAS.rating), query);
}

/** /{locale}/servizi/{service}: what a desk service is and which desks offer it. */
export function servicePath(locale: Locale, service: string): string {
  return localePath(locale, AREAS.services, encodeURIComponent(service));
}

/** The staff area's pages, under /{it|en}/staff/ (their own sub-paths follow: an id, a desk, a file). */
export const STAFF_PAGES = [
  'accesso',
  'esci',
  'verifica',
  'invito',
  'password-dimenticata',
  'password-nuova',
  'account',
  'agenda',
  'eventi',
  'raccolta',
  'volontari',
  'volontari.csv',
  'utenti',
  'gdpr',
  'audit',
  'cerca',
  'cruscotto',
  'cruscotto.csv',
  'cruscotto.ods',
  'valutazioni',
  'accessibilita',
] as const;
export type StaffPage = (typeof STAFF_PAGES)[number];

type Query = Record<string, string | null | undefined>;

/** The path with the query values that are set ("" and null are left out). */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function localePath(locale: string, ...segments: string[]): string {
  return `/${[locale, ...segments].join('/')}`;
}

export function pagePath(locale: Locale, section?: Section, ...rest: string[]): string {
  return localePath(locale, ...(section ? [SECTIONS[section]] : []), ...rest.map(encodeURIComponent));
}

export function deskPath(locale: Locale, slug: string): string {
  return pagePath(locale, 'desks', slug);
}
export function eventPath(locale: Locale, slug: string): string {
  return pagePath(locale, 'events', slug);
}
export function eventSignUpPath(locale: Locale, slug: string, page: EventSignUpPage, query?: Query): string {
  return withQuery(pagePath(locale, 'events', slug, page), query);
}
/** The staff's door list of an event: /{locale}/staff/eventi/{id}/ingresso. */
export function eventDoorPath(locale: string, eventId: number): string {
  return staffPath(locale, 'eventi', String(eventId), 'ingresso');
}
export function eventIcsPath(locale: Locale, slug: string): string {
  return `${eventPath(locale, slug)}.ics`;
}
/** The events' feed and calendar of every event: /{locale}/eventi/{file}. */
export function eventsFilePath(locale: Locale, file: EventsFile): string {
  return localePath(locale, SECTIONS.events, file);
}

/** /{locale}/sportelli/{slug}/prenota[/{page}][?…] */
export function bookingPath(locale: Locale, deskSlug: string, page?: BookingPage, query?: Query): string {
  return withQuery(`${deskPath(locale, deskSlug)}/${BOOK}${page ? `/${page}` : ''}`, query);
}

/** /{locale}/prenotazione/{page}[?…]: the email's link to manage a booking, or cancelling by reference. */
export function bookingManagePath(locale: Locale, page: BookingManagePage, query?: Query): string {
  return withQuery(localePath(locale, AREAS.booking, page), query);
}

/** The page the confirmation email links to: /{locale}/prenotazione/gestisci?token=… */
export function managePath(locale: Locale, token: string, query?: Query): string {
  return bookingManagePath(locale, 'gestisci', { token, ...query });
}

/** Cancelling without email: reference code and phone number. */
export function cancelByReferencePath(locale: Locale, query?: Query): string {
  return bookingManagePath(locale, 'annulla', query);
}

/** /{locale}/zaino-sospeso/{page}[?…] */
export function pledgePath(locale: Locale, page: PledgePage, query?: Query): string {
  return withQuery(localePath(locale, SECTIONS.campaign, page), query);
}

/** The link of the confirmation email: /{locale}/zaino-sospeso/gestisci?token=… */
export function pledgeManagePath(locale: Locale, token: string, query?: Query): string {
  return pledgePath(locale, 'gestisci', { token, ...query });
}

/** /{locale}/volontari[/{page}][?…] */
export function volunteerPath(locale: Locale, page?: VolunteerPage, query?: Query): string {
  return withQuery(localePath(locale, AREAS.volunteers, ...(page ? [page] : [])), query);
}

/** /{it|en}/staff[/{page}[/…]]; a locale the staff area does not have gets Italian. */
export function staffPath(locale: string, page?: StaffPage, ...rest: string[]): string {
  const l = (STAFF_LOCALES as readonly string[]).includes(locale) ? locale : 'it';
  return localePath(l, AREAS.staff, ...(page ? [page, ...rest] : []));
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
  '/[locale]/sportelli': ['municipio', 'lingua', 'senzagradini'],
  '/[locale]/eventi': ['pagina', 'municipio', 'eta', 'settimana'],
  '/[locale]/sportelli/[slug]/prenota': ['settimana'],
  '/[locale]/sportelli/[slug]/prenota/dettagli': ['slot'],
  '/[locale]/sportelli/[slug]/prenota/contatti': ['slot'],
  '/[locale]/sportelli/[slug]/prenota/riepilogo': ['slot'],
  '/[locale]/sportelli/[slug]/prenota/confermata': ['c'],
  '/[locale]/sportelli/[slug]/prenota/appuntamento.ics': ['c'],
  '/[locale]/prenotazione/annulla': ['esito', 'passo', 'settimana'],
  '/[locale]/prenotazione/gestisci': ['token', 'azione', 'esito', 'settimana'],
  '/[locale]/zaino-sospeso/codice': ['c'],
  '/[locale]/zaino-sospeso/grazie': ['c'],
  '/[locale]/zaino-sospeso/consegna.ics': ['c'],
  '/[locale]/zaino-sospeso/gestisci': ['token', 'azione', 'esito'],
  '/[locale]/volontari/conferma': ['token', 'esito'],
  '/[locale]/volontari/ritira': ['token', 'esito'],
  '/[locale]/eventi/[slug]/non-veniamo': ['token', 'esito'],
  '/[locale]/cerca': ['q'],
  '/[locale]/valuta': ['pagina', 'flusso', 'sportello', 'voto', 'risposta', 'esito'],
  '/[locale]/eventi/[slug]/lista-attesa': ['esito', 'posizione', 'passo'],
  '/[locale]/lista-attesa': ['token', 'esito'],
  '/[locale]/sportelli/[slug]/avvisami': ['esito', 'posizione', 'passo'],
  '/[locale]': [],
  '/[locale]/sportelli/[slug]': [],
  '/[locale]/eventi/[slug]': [],
  '/[locale]/zaino-sospeso': [],
  '/[locale]/contatti': [],
  '/[locale]/servizi/[service]': [],
  '/[locale]/privacy': [],
  '/[locale]/accessibilita': ['esito'],
  '/[locale]/eventi/feed.xml': [],
  '/[locale]/eventi/calendario.ics': [],
  '/[locale]/eventi/[slug].ics': [],
  '/sitemap-pages.xml': [],
  '/api/v1/desks': ['municipio', 'locale'],
  '/api/v1/events': ['from', 'limit', 'cursor', 'locale'],
  '/api/v1/desks/[slug]/slots': ['from', 'to'],
  '/api/v1/campaigns/[slug]': ['locale'],
  '/api/v1/openapi.json': [],
  '/api/hsds': [],
  '/api/hsds/organizations': ['page', 'per_page', 'locale'],
  '/api/hsds/organizations/[id]': ['locale'],
  '/api/hsds/locations': ['page', 'per_page', 'locale'],
  '/api/hsds/services': ['page', 'per_page', 'locale'],
  '/api/hsds/services/[id]': ['locale'],
  '/api/hsds/schedules': ['page', 'per_page', 'locale'],
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
