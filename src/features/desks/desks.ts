// Desks ("sportelli") and municipi: read side for the public site and the open-data API.
import type { Db } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
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
] as const;

/** All desks, or those of one municipio, each with its weekly hours (two queries whatever the count). */
export async function listDesks(db: Db, filter: { municipioId?: number; slug?: string } = {}): Promise<Desk[]> {
  let query = db.selectFrom('desk').select(deskColumns).orderBy('desk.municipio_id').orderBy('desk.name');
  if (filter.municipioId !== undefined) query = query.where('desk.municipio_id', '=', filter.municipioId);
  if (filter.slug !== undefined) query = query.where('desk.slug', '=', filter.slug);
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
  }));
}

export async function getDeskBySlug(db: Db, slug: string): Promise<Desk | undefined> {
  if (!isSlug(slug)) return undefined;
  const [desk] = await listDesks(db, { slug });
  return desk;
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
