// The HTML booking flow's addresses and form values. Only non-personal choices (the slot, the
// week) ever appear in these URLs; names, contacts and notes travel in POST bodies.
import { deskPath } from '#/lib/paths.ts';
import { parseDateOnly } from '#/lib/time.ts';
import type { Locale } from '#/lib/locales.ts';

/** Steps after "choose a time" (the desk's /prenota page itself), and the confirmation's files. */
export type BookingPage = 'dettagli' | 'contatti' | 'riepilogo' | 'codice' | 'confermata' | 'appuntamento.ics';

type Query = Record<string, string | null | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** /{locale}/sportelli/{slug}/prenota[/{page}][?…] */
export function bookingPath(locale: Locale, deskSlug: string, page?: BookingPage, query?: Query): string {
  return withQuery(`${deskPath(locale, deskSlug)}/prenota${page ? `/${page}` : ''}`, query);
}

/** The page the confirmation email links to: /{locale}/prenotazione/gestisci?token=… */
export function managePath(locale: Locale, token: string, query?: Query): string {
  return withQuery(`/${locale}/prenotazione/gestisci`, { token, ...query });
}

/** Cancelling without email: reference code and phone number. */
export function cancelByReferencePath(locale: Locale, query?: Query): string {
  return withQuery(`/${locale}/prenotazione/annulla`, query);
}

/** A slot as it travels in forms and query strings: its start instant in UTC, ISO 8601. */
export function slotValue(start: Date): string {
  return start.toISOString();
}

export function parseSlotValue(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "YYYY-MM-DD" of a week asked for in the query string, or undefined when it is not a date. */
export function parseWeekValue(value: unknown): string | undefined {
  return typeof value === 'string' && parseDateOnly(value) ? value : undefined;
}

/** Arabic-Indic and Persian digits, as an Arabic keyboard types them, become 0-9. */
export function toLatinDigits(value: string): string {
  return value.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) & 0xf));
}
