// What the booking search page (/{locale}/staff/cerca) shows: the form, and after a search (the
// typed text waits in the sealed staff draft, see search-actions.ts) the bookings found at the desks in the person's scope (booking-search.ts), each with the address of
// its day in the agenda, the row marked (#booking-<id>): one click to the booking.
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { agendaHref } from './agenda-paths.ts';
import { SEARCH_LIMIT, searchBookings, type BookingHit } from './booking-search.ts';

type Page = Pick<AstroGlobal, 'url' | 'cookies' | 'response' | 'redirect' | 'locals'>;

/** The form's draft: what was typed, and its message or the step reached. */
export const searchForm = { flow: 'staff', scope: 'cerca' } as const;
/** The step a valid search reaches: the page shows its results. */
export const SEARCH_RESULTS = 'results';

/** Only someone who may see at least one desk's agenda searches bookings. */
export async function mayUseSearch(db: Db, actor: Actor): Promise<boolean> {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'coordinator' && actor.role !== 'desk_operator') return false;
  return (await listDesks(db)).some((d) =>
    can(actor, { kind: 'desk.agenda', desk: { id: d.id, municipioId: d.municipioId } }),
  );
}

/** The agenda day of a booking, its row marked. */
export const hitHref = (locale: string, hit: BookingHit) =>
  `${agendaHref({ locale, deskSlug: hit.deskSlug, day: hit.day, view: 'giorno' })}#booking-${hit.id}`;

export async function searchPage(page: Page, db: Db, actor: Actor) {
  const { t } = page.locals;
  let q = '';
  let error: string | undefined;
  let hits: BookingHit[] | undefined;
  const kept = await keptFormInput(page, searchForm.flow, searchForm.scope);
  if (kept) {
    const typed = kept.form.get('q');
    q = typeof typed === 'string' ? typed.slice(0, 200) : '';
    error = messageKeys<'q'>(kept.errors).q;
    if (!error && kept.step === SEARCH_RESULTS) {
      const found = await searchBookings(db, actor, q);
      if (found === 'invalid') error = 'staffDay.search.error.qInvalid';
      else hits = found;
    }
  }
  const heading = t('staffDay.search.title');
  return {
    q,
    error,
    hits,
    full: hits !== undefined && hits.length >= SEARCH_LIMIT,
    heading,
    pageTitle: error ? t('staff.errorTitle', { title: heading }) : heading,
  };
}
