// The dashboard as tables: each section's counts per group (month, municipio, desk, service or
// language) with a total row, small cells suppressed (suppression.ts) before anything is shown or
// exported, so the page, the CSV and the ODS show the same cells. Authorization first: a coordinator
// only within their municipi, an admin everywhere, anyone else refused ('forbidden').
import type { Db } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { can } from '#/features/staff-accounts/policy.ts';
import type { Translate } from '#/lib/i18n.ts';
import { LOCALE_TAGS, LOCALES, languageName, localize, type Locale } from '#/lib/locales.ts';
import {
  STAFF_VOLUNTEER_STATUSES,
  skillLabel,
  volunteerStatusLabel,
  type StaffVolunteerStatus,
} from '#/features/volunteers/staff-volunteers.ts';
import { romeToInstant } from '#/lib/time.ts';
import { serviceKey } from '#/features/desks/services.ts';
import {
  BOOKING_MEASURES,
  BOOKING_PARTS,
  EVENT_MEASURES,
  NOT_COLLECTED_YET,
  PLEDGE_MEASURES,
  RATING_MEASURES,
  RATING_PARTS,
  WAITLIST_MEASURES,
  WAITLIST_PARTS,
  PLEDGE_PARTS,
} from './figure-kinds.ts';
import { figureQuery, monthsBetween, readFigureFilters, type FigureFilters, type Grouping } from './figure-filters.ts';
import { readCounts, readSnapshot, readWaitMedians, type FigureScope, type GroupedCount } from './figures-query.ts';
import { suppress, type SumRelation } from './suppression.ts';
import { MUNICIPI } from '#/lib/municipi.ts';

export interface FigureRow {
  key: string;
  label: string;
  /** null: suppressed (fewer than 5), shown as "< 5". */
  cells: (number | null)[];
  total?: boolean;
}

export interface FigureTable {
  id: 'bookings' | 'waits' | 'events' | 'pledges' | 'waitlist' | 'rating' | 'items' | 'volunteers';
  title: string;
  groupLabel: string;
  columns: string[];
  rows: FigureRow[];
  /** The column drawn as bars (group rows only), if the table has a chart. */
  chartColumn?: number;
  note?: string;
}

export interface DeskOption {
  id: number;
  name: string;
  municipioId: number;
}

export interface DashboardView {
  filters: FigureFilters;
  query: string;
  /** Municipi the actor may choose from (all nine for an admin). */
  municipi: number[];
  desks: DeskOption[];
  services: string[];
  isAdmin: boolean;
  tables: FigureTable[];
  notCollected: { id: string; title: string }[];
}

/** The view the actor asked for, or 'forbidden' (another role, or a place outside their scope). */
export async function dashboardView(
  db: Db,
  actor: Actor,
  params: URLSearchParams,
  locale: Locale,
  t: Translate,
  now: Date = new Date(),
): Promise<DashboardView | 'forbidden'> {
  if (actor.role !== 'admin' && actor.role !== 'coordinator') return 'forbidden';
  const filters = readFigureFilters(params, now);
  const municipi = actor.role === 'admin' ? [...MUNICIPI] : [...actor.municipi].sort((a, b) => a - b);
  const deskRows = await db
    .selectFrom('desk')
    .select(['id', 'name', 'municipio_id', 'services'])
    .where('municipio_id', 'in', municipi.length ? municipi : [0])
    .orderBy('municipio_id')
    .orderBy('name')
    .execute();
  const desk = filters.desk ? deskRows.find((d) => d.id === filters.desk) : undefined;
  // A desk named is within scope, and its municipio is the one the view covers.
  if (filters.desk && !desk) return 'forbidden';
  if (desk && filters.municipio && desk.municipio_id !== filters.municipio) return 'forbidden';
  const chosen = filters.municipio ?? desk?.municipio_id;
  const scope: FigureScope = chosen ? [chosen] : actor.role === 'admin' ? null : municipi;
  if (!can(actor, { kind: 'figures.view', municipi: scope ?? 'city' })) return 'forbidden';

  const labels = groupLabeller(locale, t, deskRows);
  const perPlaceOnly = filters.by === 'desk' || filters.by === 'service';
  const otherBy: Grouping = perPlaceOnly ? 'month' : filters.by;
  const [bookings, waits, events, pledges, waitlist, ratings, volunteers, items] = await Promise.all([
    readCounts(db, 'booking', scope, filters, filters.by),
    readWaitMedians(db, scope, filters, filters.by),
    readCounts(db, 'event', scope, filters, otherBy),
    readCounts(db, 'pledge', scope, filters, otherBy),
    readCounts(db, 'waitlist', scope, filters, otherBy),
    readCounts(db, 'rating', scope, filters, otherBy),
    readSnapshot(db, 'volunteer', filters.to),
    readSnapshot(db, 'item', filters.to),
  ]);
  const notPerPlace = perPlaceOnly ? t('figures.note.notPerDesk') : undefined;
  const tables: FigureTable[] = [
    countTable(
      'bookings',
      t('figures.bookings.title'),
      bookings,
      BOOKING_MEASURES,
      BOOKING_PARTS,
      filters,
      filters.by,
      labels,
      t,
    ),
    waitTable(waits, filters, labels, t),
    {
      ...countTable(
        'events',
        t('figures.events.title'),
        events,
        EVENT_MEASURES,
        undefined,
        filters,
        otherBy,
        labels,
        t,
      ),
      note: notPerPlace,
    },
    {
      ...countTable(
        'pledges',
        t('figures.pledges.title'),
        pledges,
        PLEDGE_MEASURES,
        PLEDGE_PARTS,
        filters,
        otherBy,
        labels,
        t,
      ),
      note: notPerPlace,
    },
    {
      ...countTable(
        'waitlist',
        t('figures.waitlist.title'),
        waitlist,
        WAITLIST_MEASURES,
        WAITLIST_PARTS,
        filters,
        otherBy,
        labels,
        t,
      ),
      note: notPerPlace,
    },
    {
      ...countTable(
        'rating',
        t('figures.rating.title'),
        ratings,
        RATING_MEASURES,
        RATING_PARTS,
        filters,
        otherBy,
        labels,
        t,
      ),
      note: notPerPlace,
    },
    await itemTable(db, items, locale, t),
    volunteerTable(volunteers, scope, locale, t),
  ];
  return {
    filters,
    query: figureQuery(filters),
    municipi,
    desks: deskRows.map((d) => ({ id: d.id, name: d.name, municipioId: d.municipio_id })),
    services: [...new Set(deskRows.flatMap((d) => d.services))].sort(),
    isAdmin: actor.role === 'admin',
    tables,
    notCollected: NOT_COLLECTED_YET.map((id) => ({ id, title: t(`figures.${id}.title`) })),
  };
}

type Labeller = (by: Grouping, key: string) => string;

function groupLabeller(locale: Locale, t: Translate, desks: { id: number; name: string }[]): Labeller {
  const monthName = new Intl.DateTimeFormat(LOCALE_TAGS[locale], {
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/Rome',
  });
  return (by, key) => {
    if (key === '') return by === 'municipio' ? t('figures.group.city') : t('figures.group.none');
    switch (by) {
      case 'month': {
        const [y, m] = key.split('-').map(Number);
        return monthName.format(romeToInstant(y!, m!, 15, 12));
      }
      case 'municipio':
        return t('staff.home.municipio', { n: key });
      case 'desk':
        return desks.find((d) => String(d.id) === key)?.name ?? key;
      case 'service':
        return t(serviceKey(key));
      case 'locale':
        return languageName(key, locale);
    }
  };
}

/** Rows of a grouped table: every month of the range, or the groups found (sorted by label). */
function groupKeys(counts: GroupedCount[], filters: FigureFilters, by: Grouping, label: Labeller): string[] {
  if (by === 'month') return monthsBetween(filters.from, filters.to);
  const keys = [...new Set(counts.map((c) => c.group))];
  if (by === 'locale') return keys.sort((a, b) => LOCALES.indexOf(a as Locale) - LOCALES.indexOf(b as Locale));
  if (by === 'municipio') return keys.sort((a, b) => (Number(a) || 99) - (Number(b) || 99));
  return keys.sort((a, b) => label(by, a).localeCompare(label(by, b)));
}

function countTable(
  id: FigureTable['id'],
  title: string,
  counts: GroupedCount[],
  measures: readonly string[],
  parts: readonly string[] | undefined,
  filters: FigureFilters,
  by: Grouping,
  label: Labeller,
  t: Translate,
): FigureTable {
  const keys = groupKeys(counts, filters, by, label);
  const index = new Map(keys.map((k, i) => [k, i]));
  const values = [...keys, 'total'].map(() => measures.map(() => 0));
  for (const c of counts) {
    const r = index.get(c.group);
    const m = measures.indexOf(c.measure);
    if (r === undefined || m < 0) continue;
    values[r]![m]! += c.value;
    values[keys.length]![m]! += c.value;
  }
  const totalRow = keys.length;
  const relations: SumRelation[] = measures.map((_, c) => ({
    total: [totalRow, c],
    parts: keys.map((_k, r) => [r, c] as const),
  }));
  if (parts)
    for (let r = 0; r <= totalRow; r++)
      relations.push({ total: [r, 0], parts: parts.map((p) => [r, measures.indexOf(p)] as const) });
  const shown = suppress(values, relations);
  return {
    id,
    title,
    groupLabel: t(`figures.by.${by}`),
    columns: measures.map((m) => t(`figures.${id}.${m}`)),
    rows: [
      ...keys.map((k, r) => ({ key: k, label: label(by, k), cells: shown[r]! })),
      { key: 'total', label: t('figures.total'), cells: shown[totalRow]!, total: true },
    ],
    chartColumn: 0,
  };
}

function waitTable(
  medians: { group: string; median: number; samples: number }[],
  filters: FigureFilters,
  label: Labeller,
  t: Translate,
): FigureTable {
  const by: Grouping = ['month', 'municipio', 'desk'].includes(filters.by) ? filters.by : 'month';
  const byGroup = new Map(medians.map((m) => [m.group, m]));
  const keys =
    by === 'month' && filters.by === 'month'
      ? monthsBetween(filters.from, filters.to).filter((k) => byGroup.has(k))
      : [...byGroup.keys()].sort();
  return {
    id: 'waits',
    title: t('figures.waits.title'),
    groupLabel: filters.by === by ? t(`figures.by.${by}`) : t('figures.by.all'),
    columns: [t('figures.waits.median'), t('figures.waits.samples')],
    // Medians of desk-days, not counts of people: nothing to suppress.
    rows: keys.map((k) => ({
      key: k,
      label: filters.by === by ? label(by, k) : t('figures.group.all'),
      cells: [Math.round(byGroup.get(k)!.median * 10) / 10, byGroup.get(k)!.samples],
    })),
    note: t('figures.waits.note'),
  };
}

async function itemTable(
  db: Db,
  snapshot: Awaited<ReturnType<typeof readSnapshot>>,
  locale: Locale,
  t: Translate,
): Promise<FigureTable> {
  const slugs = snapshot.rows.map((r) => r.service);
  const names = slugs.length
    ? await db.selectFrom('campaign_item').select(['slug', 'name', 'position']).where('slug', 'in', slugs).execute()
    : [];
  const rows = [...names].sort((a, b) => a.position - b.position);
  const values = rows.map((n) => [snapshot.rows.find((r) => r.service === n.slug)?.value ?? 0]);
  const shown = suppress(values, []);
  return {
    id: 'items',
    title: t('figures.items.title'),
    groupLabel: t('figures.items.item'),
    columns: [t('figures.items.needed')],
    rows: rows.map((n, r) => ({ key: n.slug, label: localize(n.name, locale), cells: shown[r]! })),
    note: snapshot.month ? t('figures.snapshot', { month: snapshot.month.slice(0, 7) }) : undefined,
  };
}

function volunteerTable(
  snapshot: Awaited<ReturnType<typeof readSnapshot>>,
  scope: FigureScope,
  locale: Locale,
  t: Translate,
): FigureTable {
  // Columns: each municipio of the view; an admin's city view adds the whole city first.
  const columns: (number | null)[] = scope
    ? [...scope]
    : [
        null,
        ...[...new Set(snapshot.rows.map((r) => r.municipio))]
          .filter((m): m is number => m !== null)
          .sort((a, b) => a - b),
      ];
  const measures = [...new Set(snapshot.rows.map((r) => r.measure))].sort(
    (a, b) => measureRank(a) - measureRank(b) || a.localeCompare(b),
  );
  const values = measures.map((m) =>
    columns.map((col) => snapshot.rows.find((r) => r.measure === m && r.municipio === col)?.value ?? 0),
  );
  // The whole city is at least the sum of its municipi (a volunteer may choose several): treated as
  // a sum, so no municipio's small count can be read from the city's.
  const relations: SumRelation[] =
    columns[0] === null
      ? measures.map((_, r) => ({
          total: [r, 0] as const,
          parts: columns.slice(1).map((_c, c) => [r, c + 1] as const),
        }))
      : [];
  const shown = suppress(values, relations);
  return {
    id: 'volunteers',
    title: t('figures.volunteers.title'),
    groupLabel: t('figures.volunteers.what'),
    columns: columns.map((m) => (m === null ? t('figures.group.city') : t('staff.home.municipio', { n: m }))),
    rows: measures.map((m, r) => ({ key: m, label: volunteerMeasureLabel(m, locale, t), cells: shown[r]! })),
    note: snapshot.month ? t('figures.snapshot', { month: snapshot.month.slice(0, 7) }) : undefined,
  };
}

function measureRank(measure: string): number {
  return measure.startsWith('status:') ? 0 : measure.startsWith('skill:') ? 1 : 2;
}

function volunteerMeasureLabel(measure: string, locale: Locale, t: Translate): string {
  const [kind, value = ''] = measure.split(':');
  if (kind === 'status' && (STAFF_VOLUNTEER_STATUSES as readonly string[]).includes(value))
    return t('figures.volunteers.status', { value: volunteerStatusLabel(value as StaffVolunteerStatus, t) });
  if (kind === 'skill') return t('figures.volunteers.skill', { value: skillLabel(value, t) });
  return t('figures.volunteers.language', { value: languageName(value, locale) });
}
