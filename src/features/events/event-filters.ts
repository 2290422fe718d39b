// The public list's filters (issue #13), read from a plain GET form so they work without
// JavaScript and can be linked: ?municipio=8&eta=3-6&settimana=1. A value that is not one of the
// form's choices is ignored (the list shows as if it were not chosen), never an error page.
import { addDays } from '#/features/booking/slots.ts';
import { parseDateOnly, romeDateString, romeToInstant } from '#/lib/time.ts';
import { isAgeBand, type AgeBand } from './event-facts.ts';
import type { EventFilters } from './events.ts';

export interface ListFilters {
  municipioId?: number;
  ageBand?: AgeBand;
  thisWeek: boolean;
}

export function readListFilters(params: URLSearchParams): ListFilters {
  const municipio = params.get('municipio') ?? '';
  const age = params.get('eta');
  return {
    ...(/^[1-9]$/.test(municipio) ? { municipioId: Number(municipio) } : {}),
    ...(isAgeBand(age) ? { ageBand: age } : {}),
    thisWeek: params.get('settimana') === '1',
  };
}

/** The query string that keeps the filters (for the pager's links), without the leading "?". */
export function filtersQuery(filters: ListFilters): string {
  const q = new URLSearchParams();
  if (filters.municipioId !== undefined) q.set('municipio', String(filters.municipioId));
  if (filters.ageBand) q.set('eta', filters.ageBand);
  if (filters.thisWeek) q.set('settimana', '1');
  return q.toString();
}

export const hasFilters = (f: ListFilters) => f.municipioId !== undefined || f.ageBand !== undefined || f.thisWeek;

/** Midnight in Rome at the end of this week's Sunday: "this week" is up to then. */
export function endOfRomeWeek(now: Date): Date {
  const today = romeDateString(now);
  const d = parseDateOnly(today)!;
  const isoWeekday = ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
  const monday = parseDateOnly(addDays(today, 8 - isoWeekday))!;
  return romeToInstant(monday.year, monday.month, monday.day);
}

export function listQuery(filters: ListFilters, now: Date): EventFilters {
  return {
    ...(filters.municipioId !== undefined ? { municipioId: filters.municipioId } : {}),
    ...(filters.ageBand ? { ageBand: filters.ageBand } : {}),
    ...(filters.thisWeek ? { before: endOfRomeWeek(now) } : {}),
  };
}
