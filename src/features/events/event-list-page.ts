// What the public list of events (/{locale}/eventi) reads, so that its page only renders: the page
// its address asks for (?pagina=N), with the filters of its plain GET form kept.
import type { Db } from '#/server/db/database.ts';
import { listMunicipi } from '#/features/desks/desks.ts';
import { EVENTS_PER_PAGE, listUpcomingEvents } from './events.ts';
import { filtersQuery, listQuery, readListFilters, type ListFilters } from './event-filters.ts';

/**
 * EVENTS_PER_PAGE events a page, soonest first: a page stays light on a slow phone however many
 * events the partners publish; one more is read to know whether a later page exists. Undefined when
 * the address asks for a page that is not there (the page answers 404).
 */
export async function readEventListPage(db: Db, params: URLSearchParams, now: Date = new Date()) {
  const raw = params.get('pagina');
  if (raw !== null && !/^[1-9][0-9]{0,3}$/.test(raw)) return undefined;
  const page = raw === null ? 1 : Number(raw);
  const filters = readListFilters(params);
  const [found, municipi] = await Promise.all([
    listUpcomingEvents(db, {
      from: now,
      limit: EVENTS_PER_PAGE + 1,
      offset: (page - 1) * EVENTS_PER_PAGE,
      ...listQuery(filters, now),
    }),
    listMunicipi(db),
  ]);
  if (page > 1 && found.length === 0) return undefined;
  return { page, filters, municipi, events: found.slice(0, EVENTS_PER_PAGE), hasLater: found.length > EVENTS_PER_PAGE };
}

/** The address of page `n` of the list at `here`, with the filters kept (page 1 has no ?pagina). */
export function eventListPageHref(here: string, filters: ListFilters, n: number): string {
  const kept = filtersQuery(filters);
  const query = [...(n === 1 ? [] : [`pagina=${n}`]), ...(kept ? [kept] : [])].join('&');
  return query ? `${here}?${query}` : here;
}
