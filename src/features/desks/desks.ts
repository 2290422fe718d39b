// Desks ("sportelli") and municipi: read side for the public site and the open-data API.
import type { Db } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { sql } from 'kysely';
import { isSlug } from '#/lib/paths.ts';

export interface OpeningHours {
  weekday: number; // ISO 1 = Monday … 7 = Sunday
  opens: string; // 'HH:MM'
  closes: string;
}

export interface Desk {
  id: number;
  slug: string;
  municipioId: number;
  name: string;
  area: string;
  address: string;
  phone: string;
  services: string[];
  description: LocalizedText | null;
  slotMinutes: number;
  capacityPerSlot: number;
  minNoticeMinutes: number;
  maxDaysAhead: number;
  isSampleAddress: boolean;
  hours: OpeningHours[];
  facts: DeskFacts;
}

/** What a family needs before going to a desk (issue #14), edited by staff in the desk's settings. */
export interface DeskFacts {
  languages: string[]; // ISO 639 codes
  mediatorWeekdays: number[]; // ISO weekdays
  stepFree: boolean | null; // null: not known yet
  whatToBring: LocalizedText | null;
  transit: string | null;
  coordinates: { latitude: number; longitude: number } | null;
  isSample: boolean;
}

export interface Municipio {
  id: number;
  name: string;
  quartieri: string[];
  networkName: string;
  deskCount: number;
}

const deskColumns = [
  'desk.id',
  'desk.slug',
  'desk.municipio_id',
  'desk.name',
  'desk.area',
  'desk.address',
  'desk.phone',
  'desk.services',
  'desk.description',
  'desk.slot_minutes',
  'desk.capacity_per_slot',
  'desk.min_notice_minutes',
  'desk.max_days_ahead',
  'desk.is_sample_address',
  'desk.languages',
  'desk.mediator_weekdays',
  'desk.step_free',
  'desk.what_to_bring',
  'desk.transit',
  'desk.latitude',
  'desk.longitude',
  'desk.facts_are_sample',
] as const;

/** A filter of the public list: a language spoken, step-free access only. */
export interface DeskFilter {
  municipioId?: number;
  slug?: string;
  language?: string;
  stepFree?: boolean;
}

/** All desks, or those of one municipio, each with its weekly hours (two queries whatever the count). */
export async function listDesks(db: Db, filter: DeskFilter = {}): Promise<Desk[]> {
  let query = db.selectFrom('desk').select(deskColumns).orderBy('desk.municipio_id').orderBy('desk.name');
  if (filter.municipioId !== undefined) query = query.where('desk.municipio_id', '=', filter.municipioId);
  if (filter.slug !== undefined) query = query.where('desk.slug', '=', filter.slug);
  if (filter.language !== undefined)
    query = query.where(sql<boolean>`desk.languages @> array[${filter.language}]::text[]`);
  if (filter.stepFree) query = query.where('desk.step_free', '=', true);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const hours = await db
    .selectFrom('desk_opening_hours')
    .select(['desk_id', 'weekday', 'opens', 'closes'])
    .where(
      'desk_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('weekday')
    .orderBy('opens')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    municipioId: r.municipio_id,
    name: r.name,
    area: r.area,
    address: r.address,
    phone: r.phone,
    services: r.services,
    description: r.description,
    slotMinutes: r.slot_minutes,
    capacityPerSlot: r.capacity_per_slot,
    minNoticeMinutes: r.min_notice_minutes,
    maxDaysAhead: r.max_days_ahead,
    isSampleAddress: r.is_sample_address,
    hours: hours
      .filter((h) => h.desk_id === r.id)
      .map((h) => ({ weekday: h.weekday, opens: h.opens.slice(0, 5), closes: h.closes.slice(0, 5) })),
    facts: {
      languages: r.languages,
      mediatorWeekdays: r.mediator_weekdays,
      stepFree: r.step_free,
      whatToBring: r.what_to_bring,
      transit: r.transit,
      coordinates:
        r.latitude === null || r.longitude === null ? null : { latitude: r.latitude, longitude: r.longitude },
      isSample: r.facts_are_sample,
    },
  }));
}

export async function getDeskBySlug(db: Db, slug: string): Promise<Desk | undefined> {
  if (!isSlug(slug)) return undefined;
  const [desk] = await listDesks(db, { slug });
  return desk;
}

/** The languages spoken at some desk, for the list's filter (ISO 639 codes, sorted). */
export async function listDeskLanguages(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom(sql<{ code: string }>`(select distinct unnest(languages) as code from desk)`.as('l'))
    .select('l.code')
    .orderBy('l.code')
    .execute();
  return rows.map((r) => r.code);
}

export async function listMunicipi(db: Db): Promise<Municipio[]> {
  const rows = await db
    .selectFrom('municipio')
    .leftJoin('network', 'network.municipio_id', 'municipio.id')
    .select((eb) => [
      'municipio.id',
      'municipio.name',
      'municipio.quartieri',
      'network.name as network_name',
      eb
        .selectFrom('desk')
        .whereRef('desk.municipio_id', '=', 'municipio.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('desk_count'),
    ])
    .orderBy('municipio.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    quartieri: r.quartieri,
    networkName: r.network_name ?? `Rete QuBì ${r.name}`,
    deskCount: Number(r.desk_count ?? 0),
  }));
}
