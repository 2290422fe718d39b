// The staff side of volunteer sign-ups: the confirmed volunteers of a coordinator's municipi,
// filtered by municipio, skill, language, availability and status; the status a coordinator keeps
// (new → contacted → active / inactive); and the CSV export.
//
// Scope: a coordinator sees a volunteer who chose at least one of the coordinator's municipi
// (`can(actor, {kind: 'volunteers.manage', municipi: volunteer.municipi})`); an admin sees all.
// Unconfirmed sign-ups are never shown: the address has not been proven yet.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db, VolunteerDetails, VolunteerStatus } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { toCsv } from '#/lib/csv.ts';
import { AVAILABILITY, VOLUNTEER_LANGUAGES, VOLUNTEER_SKILLS, WEEKDAYS } from './vocabulary.ts';
import type { Translate } from '#/lib/i18n.ts';
import { languageName, type Locale } from '#/lib/locales.ts';
import { weekdayName } from '#/lib/format.ts';
import { MUNICIPI } from '#/lib/municipi.ts';

export const STAFF_VOLUNTEER_STATUSES = ['new', 'contacted', 'active', 'inactive'] as const;
export type StaffVolunteerStatus = (typeof STAFF_VOLUNTEER_STATUSES)[number];

export interface VolunteerFilters {
  municipio?: number;
  skill?: string;
  language?: string;
  availability?: string;
  status?: StaffVolunteerStatus;
}

export const FILTER_NAMES = ['municipio', 'skill', 'language', 'availability', 'status'] as const;

/** Filters from a query string; unknown values are dropped (and reported, so a page can say so). */
export function readVolunteerFilters(params: URLSearchParams): { filters: VolunteerFilters; invalid: string[] } {
  const filters: VolunteerFilters = {};
  const invalid: string[] = [];
  const get = (name: string) => params.get(name)?.trim() ?? '';
  const municipio = get('municipio');
  if (municipio) {
    if (/^[1-9]$/.test(municipio)) filters.municipio = Number(municipio);
    else invalid.push('municipio');
  }
  const pick = <K extends 'skill' | 'language' | 'availability' | 'status'>(name: K, allowed: readonly string[]) => {
    const v = get(name);
    if (!v) return;
    if (allowed.includes(v)) (filters as Record<string, string>)[name] = v;
    else invalid.push(name);
  };
  pick('skill', VOLUNTEER_SKILLS);
  pick('language', VOLUNTEER_LANGUAGES);
  pick('availability', AVAILABILITY);
  pick('status', STAFF_VOLUNTEER_STATUSES);
  return { filters, invalid };
}

/** The query string of a set of filters (stable order), '' when there is none. */
export function filtersQuery(filters: VolunteerFilters): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const v = filters[name];
    if (v !== undefined) params.set(name, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Municipi whose volunteers the actor may see (all nine for an admin). */
export function volunteerMunicipi(actor: Actor): number[] {
  return MUNICIPI.filter((m) => can(actor, { kind: 'volunteers.manage', municipi: [m] }));
}

/** May the actor look at this filter at all? A municipio filter outside the actor's scope is refused. */
export function canListVolunteers(actor: Actor, filters: VolunteerFilters): boolean {
  const scope = filters.municipio !== undefined ? [filters.municipio] : volunteerMunicipi(actor);
  return scope.length > 0 && can(actor, { kind: 'volunteers.manage', municipi: scope });
}

/** A volunteer as staff see them: the details of the sign-up (as confirmed), address and status. */
export interface StaffVolunteer extends Omit<VolunteerDetails, 'locale' | 'consent_at'> {
  id: number;
  email: string;
  status: StaffVolunteerStatus;
  confirmedAt: Date | null;
}

const anyOf = (
  eb: ExpressionBuilder<Database, 'volunteer'>,
  value: string | number,
  column: 'municipi' | 'skills' | 'languages' | 'availability',
) => sql<boolean>`${value} = any(${eb.ref(`volunteer.${column}`)})`;

export const VOLUNTEER_LIST_LIMIT = 1000;

/** The volunteers in the actor's scope matching the filters, or 'forbidden'. */
export async function listVolunteers(
  db: Db,
  actor: Actor,
  filters: VolunteerFilters,
  limit = VOLUNTEER_LIST_LIMIT,
): Promise<StaffVolunteer[] | 'forbidden'> {
  if (!canListVolunteers(actor, filters)) return 'forbidden';
  const scope = filters.municipio !== undefined ? [filters.municipio] : volunteerMunicipi(actor);
  let query = db
    .selectFrom('volunteer')
    .select([
      'id',
      'name',
      'email',
      'phone',
      'municipi',
      'skills',
      'languages',
      'availability',
      'note',
      'status',
      'confirmed_at',
    ])
    .where('status', '<>', 'unconfirmed');
  if (scope.length < MUNICIPI.length) query = query.where((eb) => eb.or(scope.map((m) => anyOf(eb, m, 'municipi'))));
  if (filters.skill) query = query.where((eb) => anyOf(eb, filters.skill!, 'skills'));
  if (filters.language) query = query.where((eb) => anyOf(eb, filters.language!, 'languages'));
  if (filters.availability) query = query.where((eb) => anyOf(eb, filters.availability!, 'availability'));
  if (filters.status) query = query.where('status', '=', filters.status);
  const rows = await query.orderBy('confirmed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    municipi: r.municipi.map(Number),
    skills: r.skills,
    languages: r.languages,
    availability: r.availability,
    note: r.note,
    status: r.status as StaffVolunteerStatus,
    confirmedAt: r.confirmed_at,
  }));
}

export type StatusResult =
  { ok: true; from: VolunteerStatus; changed: boolean } | { ok: false; reason: 'not_found' | 'forbidden' | 'invalid' };

export const isStaffVolunteerStatus = (v: unknown): v is StaffVolunteerStatus =>
  typeof v === 'string' && (STAFF_VOLUNTEER_STATUSES as readonly string[]).includes(v);

/** Sets a confirmed volunteer's status, when the volunteer is in the actor's municipi. */
export async function setVolunteerStatus(
  db: Db,
  actor: Actor,
  volunteerId: number,
  status: unknown,
): Promise<StatusResult> {
  if (!Number.isSafeInteger(volunteerId) || volunteerId < 1 || volunteerId > 2147483647)
    return { ok: false, reason: 'not_found' };
  const row = await db
    .selectFrom('volunteer')
    .select(['id', 'municipi', 'status'])
    .where('id', '=', volunteerId)
    .where('status', '<>', 'unconfirmed')
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'not_found' };
  if (!can(actor, { kind: 'volunteers.manage', municipi: row.municipi.map(Number) }))
    return { ok: false, reason: 'forbidden' };
  if (!isStaffVolunteerStatus(status)) return { ok: false, reason: 'invalid' };
  if (row.status === status) return { ok: true, from: row.status, changed: false };
  return runInTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('volunteer')
      .set({ status })
      .where('id', '=', row.id)
      .where('status', '<>', 'unconfirmed')
      .returning('id')
      .executeTakeFirst();
    if (!updated) return { ok: false, reason: 'not_found' } as const;
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'volunteer.status',
      subject: `volunteer:${row.id}`,
      detail: { from: row.status, to: status },
    });
    return { ok: true, from: row.status, changed: true } as const;
  });
}

/**
 * The filtered list as CSV with what a coordinator needs to get in touch and plan: name, email,
 * phone, municipi, skills, languages, availability, status. No note, no dates of consent. Recorded
 * in the audit log with the filters and the number of rows, never the rows.
 */
export async function exportVolunteersCsv(
  db: Db,
  actor: Actor,
  filters: VolunteerFilters,
  options: { t: Translate; locale: Locale },
): Promise<{ csv: string; rows: number } | 'forbidden'> {
  const list = await listVolunteers(db, actor, filters, 100000);
  if (list === 'forbidden') return 'forbidden';
  const { t } = options;
  const header = [
    t('staff.volunteers.csv.name'),
    t('staff.volunteers.csv.email'),
    t('staff.volunteers.csv.phone'),
    t('staff.volunteers.csv.municipi'),
    t('staff.volunteers.csv.skills'),
    t('staff.volunteers.csv.languages'),
    t('staff.volunteers.csv.availability'),
    t('staff.volunteers.csv.status'),
  ];
  const rows = list.map((v) => [
    v.name,
    v.email,
    v.phone,
    v.municipi.join(' '),
    v.skills.map((s) => skillLabel(s, t)).join('; '),
    v.languages.map((l) => languageName(l, options.locale)).join(', '),
    v.availability.map((a) => availabilityLabel(a, t, options.locale)).join(', '),
    volunteerStatusLabel(v.status, t),
  ]);
  await writeAudit(db, {
    actorUserId: actor.id,
    action: 'export.volunteers',
    detail: {
      filters: { ...filters },
      scope: filters.municipio !== undefined ? [filters.municipio] : volunteerMunicipi(actor),
      rows: rows.length,
    },
  });
  return { csv: toCsv(header, rows), rows: rows.length };
}

/** The words for a status (literal keys, so the locale test sees each one). */
export function volunteerStatusLabel(status: StaffVolunteerStatus, t: Translate): string {
  switch (status) {
    case 'new':
      return t('staff.volunteers.status.new');
    case 'contacted':
      return t('staff.volunteers.status.contacted');
    case 'active':
      return t('staff.volunteers.status.active');
    case 'inactive':
      return t('staff.volunteers.status.inactive');
  }
}

export function skillLabel(skill: string, t: Translate): string {
  switch (skill) {
    case 'events':
      return t('staff.volunteers.skill.events');
    case 'homework':
      return t('staff.volunteers.skill.homework');
    case 'distribution':
      return t('staff.volunteers.skill.distribution');
    case 'translation':
      return t('staff.volunteers.skill.translation');
    case 'accompaniment':
      return t('staff.volunteers.skill.accompaniment');
    default:
      return t('staff.volunteers.skill.other');
  }
}

export function partLabel(part: string, t: Translate): string {
  switch (part) {
    case 'morning':
      return t('volunteer.part.morning');
    case 'afternoon':
      return t('volunteer.part.afternoon');
    default:
      return t('volunteer.part.evening');
  }
}

/** "mon-morning" → "lunedì, mattina" (the sign-up form's words). */
export function availabilityLabel(code: string, t: Translate, locale: Locale): string {
  const [day, part] = code.split('-') as [string, string];
  const index = WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]);
  return index < 0
    ? code
    : t('volunteer.form.slotLabel', { day: weekdayName(index + 1, locale), part: partLabel(part, t).toLowerCase() });
}
