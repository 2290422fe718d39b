// The addresses of a desk's agenda and settings pages, and what their actions leave for their GETs:
// the day and the view asked for (?giorno=YYYY-MM-DD&vista=…, read the same way by the page and by
// its actions, which answer 303 back to the same view), the draft slots, the outcomes an address names.
import { staffPath } from '#/lib/paths.ts';
import { parseDateOnly } from '#/lib/time.ts';
import type { AgendaView } from './agenda-queries.ts';

export interface AgendaPlace {
  locale: string;
  deskSlug: string;
  day: string;
  view: AgendaView;
}

/** The day and view of an agenda address: today's day view when the query names none (or nonsense). */
export function agendaPlace(url: URL, locale: string, deskSlug: string, today: string): AgendaPlace {
  const asked = url.searchParams.get('giorno');
  const date = parseDateOnly(asked);
  const day = asked && date && date.year >= 2000 && date.year <= 2100 ? asked : today;
  const view: AgendaView = url.searchParams.get('vista') === 'settimana' ? 'settimana' : 'giorno';
  return { locale, deskSlug, day, view };
}

/** /{locale}/staff/agenda/{desk}?giorno=…&vista=… (another day or view of the same desk when given). */
export function agendaHref(place: AgendaPlace, day = place.day, view = place.view): string {
  return `${staffPath(place.locale, 'agenda', place.deskSlug)}?giorno=${day}&vista=${view}`;
}

/** /{locale}/staff/agenda/{desk}/impostazioni */
export function deskSettingsHref(locale: string, deskSlug: string): string {
  return staffPath(locale, 'agenda', deskSlug, 'impostazioni');
}

/** The phone booking form's draft: per desk, day and view (the form is on the day view). */
export const phoneBookingForm = (place: Pick<AgendaPlace, 'deskSlug' | 'day' | 'view'>) =>
  ({ flow: 'staff', scope: `agenda:${place.deskSlug}:${place.day}:${place.view}` }) as const;

/** What `&problema=` may name; the page says it (404 for not_found, 409 for the others). */
export const AGENDA_PROBLEMS = ['not_found', 'not_confirmed', 'not_started', 'started'] as const;
/** What `&fatto=` may name. */
export const AGENDA_DONE = ['attended', 'no_show', 'cancelled', 'booked'] as const;

/** The settings page's draft: one per desk, whichever of its forms was refused. */
export const deskSettingsForm = (deskSlug: string) => ({ flow: 'staff', scope: `impostazioni:${deskSlug}` }) as const;
/** Kept notice: what was to be removed is gone already (404). */
export const ALREADY_REMOVED = 'notFound';
/** What `?fatto=` may name. */
export const SETTINGS_DONE = [
  'settings',
  'hours',
  'closureAdded',
  'closureRemoved',
  'extraAdded',
  'extraRemoved',
  'facts',
] as const;
