// Where the waiting list's pages live (issue #13): an event's "join the waiting list" form beside
// its sign-up pages, and the status page a family's link opens (?token=…, never cached).
import type { Locale } from '#/lib/locales.ts';
import { eventPath, withQuery } from '#/lib/paths.ts';

type Query = Parameters<typeof withQuery>[1];

/** /{locale}/eventi/{slug}/lista-attesa */
export function eventWaitlistPath(locale: Locale, slug: string, query?: Query): string {
  return withQuery(`${eventPath(locale, slug)}/lista-attesa`, query);
}

/** /{locale}/lista-attesa?token=… (the status page), or ?esito=… after an answer. */
export function waitStatusPath(locale: Locale, query?: Query): string {
  return withQuery(`/${locale}/lista-attesa`, query);
}

/** /{locale}/sportelli/{slug}/avvisami: "tell me if a place opens". */
export function deskWaitlistPath(locale: Locale, slug: string, query?: Query): string {
  return withQuery(`/${locale}/sportelli/${slug}/avvisami`, query);
}
