// Reads of the dashboard: sums over figure_month and medians over figure_wait_sample, within the
// actor's scope and the filters. Small tables with an index on (kind, month, municipio): never the
// bookings themselves (docs/performance.md, "Dashboard").
import { sql, type RawBuilder } from 'kysely';
import type { Db, FigureMonthTable } from '#/server/db/database.ts';
import { addMonths, type FigureFilters, type Grouping } from './figure-filters.ts';
import { NO_PLACE_DAYS } from './wait-samples.ts';

/** Municipi the view covers, or null for the whole city (an admin without a municipio chosen). */
export type FigureScope = readonly number[] | null;

export interface GroupedCount {
  group: string;
  measure: string;
  value: number;
}

const GROUP_COLUMN: Record<Grouping, RawBuilder<string>> = {
  month: sql<string>`to_char(month, 'YYYY-MM-DD')`,
  municipio: sql<string>`coalesce(municipio_id::text, '')`,
  desk: sql<string>`coalesce(desk_id::text, '')`,
  service: sql<string>`service`,
  locale: sql<string>`locale`,
};

/** Sums of one kind's measures per group, over the filtered months and places. */
export async function readCounts(
  db: Db,
  kind: FigureMonthTable['kind'],
  scope: FigureScope,
  filters: FigureFilters,
  by: Grouping,
): Promise<GroupedCount[]> {
  let query = db
    .selectFrom('figure_month')
    .select([GROUP_COLUMN[by].as('group'), 'measure', sql<number>`sum(value)::int`.as('value')])
    .where('kind', '=', kind)
    .where('grain', '=', kind === 'booking' ? bookingGrain(filters, by) : 'detail')
    .where('month', '>=', filters.from)
    .where('month', '<=', filters.to);
  if (scope) query = query.where('municipio_id', 'in', scope);
  if (kind === 'booking') {
    if (filters.desk) query = query.where('desk_id', '=', filters.desk);
    if (filters.service) query = query.where('service', '=', filters.service);
  }
  if (filters.locale) query = query.where('locale', '=', filters.locale);
  return query.groupBy([sql`1`, sql`2`]).execute();
}

/** The coarsest booking rows that still have every dimension the view filters or groups by. */
export function bookingGrain(
  filters: FigureFilters,
  by: Grouping,
): 'detail' | 'municipio' | 'desk' | 'service' | 'locale' {
  const needs = new Set<string>();
  if (filters.desk || by === 'desk') needs.add('desk');
  if (filters.service || by === 'service') needs.add('service');
  if (filters.locale || by === 'locale') needs.add('locale');
  if (needs.size === 0) return 'municipio';
  return needs.size === 1 ? ([...needs][0] as 'desk' | 'service' | 'locale') : 'detail';
}

/** A snapshot kind (volunteers, items): the latest month counted up to the filter's last month. */
export async function readSnapshot(
  db: Db,
  kind: 'volunteer' | 'item',
  to: string,
): Promise<{
  month: string | null;
  rows: { municipio: number | null; measure: string; service: string; value: number }[];
}> {
  const latest = await db
    .selectFrom('figure_month')
    .select(sql<string | null>`max(month)::text`.as('month'))
    .where('kind', '=', kind)
    .where('month', '<=', to)
    .executeTakeFirst();
  const month = latest?.month ?? null;
  if (!month) return { month: null, rows: [] };
  const rows = await db
    .selectFrom('figure_month')
    .select(['municipio_id as municipio', 'measure', 'service', 'value'])
    .where('kind', '=', kind)
    .where('month', '=', month)
    .execute();
  return { month, rows };
}

/** Median days to the first free slot per group (month, municipio or desk; otherwise one row). */
export async function readWaitMedians(
  db: Db,
  scope: FigureScope,
  filters: FigureFilters,
  by: Grouping,
): Promise<{ group: string; median: number; samples: number }[]> {
  const group =
    by === 'month'
      ? sql<string>`to_char(date_trunc('month', s.day), 'YYYY-MM-DD')`
      : by === 'municipio'
        ? sql<string>`d.municipio_id::text`
        : by === 'desk'
          ? sql<string>`s.desk_id::text`
          : sql<string>`''`;
  let query = db
    .selectFrom('figure_wait_sample as s')
    .innerJoin('desk as d', 'd.id', 's.desk_id')
    .select([
      group.as('group'),
      sql<number>`percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(s.days, ${NO_PLACE_DAYS}))`.as('median'),
      sql<number>`count(*)::int`.as('samples'),
    ])
    .where('s.day', '>=', filters.from)
    .where('s.day', '<', addMonths(filters.to, 1));
  if (scope) query = query.where('d.municipio_id', 'in', scope);
  if (filters.desk) query = query.where('s.desk_id', '=', filters.desk);
  const rows = await query.groupBy(sql`1`).execute();
  return rows.map((r) => ({ group: r.group, median: Number(r.median), samples: r.samples }));
}
