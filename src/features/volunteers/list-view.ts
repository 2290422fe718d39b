// What the staff list of volunteers (/{it|en}/staff/volontari) shows: the filters the address asks
// for, authorized with `can(actor, volunteers.manage)` on the actor's municipi and on the filter's
// municipio ('forbidden' otherwise), the volunteers they find, and the links that carry them.
import { languageName, type Locale } from '#/lib/locales.ts';
import { staffPath } from '#/lib/paths.ts';
import type { Db } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import {
  canListVolunteers,
  filtersQuery,
  listVolunteers,
  readVolunteerFilters,
  volunteerMunicipi,
  type StaffVolunteer,
  type VolunteerFilters,
} from './staff-volunteers.ts';
import { VOLUNTEER_LANGUAGES } from './vocabulary.ts';

export interface VolunteerListView {
  /** The municipi the actor works on. */
  scope: number[];
  filters: VolunteerFilters;
  volunteers: StaffVolunteer[];
  /** The list as filtered (where a status change comes back to) and its CSV. */
  listUrl: string;
  csvHref: string;
  hasFilters: boolean;
  /** The filter's languages, by their name in the reader's language. */
  languages: { code: string; name: string }[];
}

export async function volunteerListView(
  db: Db,
  actor: Actor,
  params: URLSearchParams,
  locale: Locale,
): Promise<VolunteerListView | 'forbidden'> {
  const scope = volunteerMunicipi(actor);
  if (scope.length === 0) return 'forbidden';
  const { filters } = readVolunteerFilters(params);
  if (!canListVolunteers(actor, filters)) return 'forbidden';
  const volunteers = await listVolunteers(db, actor, filters);
  if (volunteers === 'forbidden') return 'forbidden';
  const query = filtersQuery(filters);
  return {
    scope,
    filters,
    volunteers,
    listUrl: staffPath(locale, 'volontari') + query,
    csvHref: staffPath(locale, 'volontari.csv') + query,
    hasFilters: query !== '',
    languages: VOLUNTEER_LANGUAGES.map((code) => ({ code, name: languageName(code, locale) })).sort((a, b) =>
      a.name.localeCompare(b.name, locale),
    ),
  };
}
