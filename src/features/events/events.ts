// Events published by the networks' partners: read side for the public pages, feeds and API.
import { sql, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database, Db, EventStatus, EventTable } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { isSlug } from '#/lib/paths.ts';
import { seatsOf, type Seats } from './event-seats.ts';
import { factsOfRow, type AgeBand, type EventFacts, type EventStop } from './event-facts.ts';
import { ruleOfRow, type SeriesRule } from './series-rule.ts';

export interface PublicEvent {
  id: number;
  slug: string;
  municipioId: number | null;
  title: LocalizedText;
  summary: LocalizedText;
  description: LocalizedText;
  venue: string;
  address: string;
  transitHint: LocalizedText | null;
  priceNote: LocalizedText | null;
  startsAt: Date;
  endsAt: Date | null;
  status: Extract<EventStatus, 'published' | 'cancelled'>;
  updatedAt: Date;
  organisers: string[];
  /** Seats families sign up for, and how many are left; null: "just come" (issue #13). */
  seats: Seats | null;
  /** The recurring activity this event is one date of, and that date (issue #13). */
  seriesId: number | null;
  occurrenceDate: string | null;
  /** The series' rule, for "every Tuesday" on cards, feeds and the API. */
  seriesRule: SeriesRule | null;
  stops: EventStop[];
  facts: EventFacts;
}

/** Filters of the public list (plain GET form): municipio, an age band, an end ("this week"). */
export interface EventFilters {
  municipioId?: number;
  /** Events for this band, and those for every age (no band given). */
  ageBand?: AgeBand;
  /** Only events starting before this instant. */
  before?: Date;
}

/** Statuses the public may see: a cancelled event stays visible, marked as cancelled. */
export const PUBLIC_STATUSES = ['published', 'cancelled'] as const;

/** Events on a page of the public list (?pagina=N). */
export const EVENTS_PER_PAGE = 20;

/**
 * Events not over by `from` (an event without an end counts as ending at its start), soonest first,
 * organisers fetched in one further query: the one-off events, and each recurring activity once, as
 * its next date held (issue #13). Two index walks, merged: the one-off events in start order (as
 * many as the page needs), and one probe per series for its next published date (a series' date
 * lasts less than a day, so its next one starts after `from` less a day). Then the page's rows.
 */
export async function listUpcomingEvents(
  db: Db,
  options: {
    from: Date;
    limit?: number;
    offset?: number;
    /** Keyset paging (the API's cursor): only events after this one in the list's order. */
    after?: { startsAt: Date; id: number };
  } & EventFilters,
): Promise<PublicEvent[]> {
  const limit = Math.min(options.limit ?? 100, 500);
  const offset = Math.max(0, options.offset ?? 0);
  const { from, after } = options;
  const filtered = <Q extends SelectQueryBuilder<Database, 'event', object>>(query: Q): Q => {
    let q = query;
    if (options.municipioId !== undefined) q = q.where('event.municipio_id', '=', options.municipioId) as Q;
    if (options.ageBand !== undefined)
      q = q.where((eb) =>
        eb.or([
          eb(sql`cardinality(event.age_bands)`, '=', 0),
          eb(sql`event.age_bands`, '@>', sql`ARRAY[${options.ageBand}]::text[]`),
        ]),
      ) as Q;
    if (options.before !== undefined) q = q.where('event.starts_at', '<', options.before) as Q;
    return q;
  };
  const oneOff = filtered(
    db
      .selectFrom('event')
      .select(['event.id', 'event.starts_at'])
      .where('event.series_id', 'is', null)
      .where('event.status', 'in', PUBLIC_STATUSES)
      .where(sql<Date>`coalesce(event.ends_at, event.starts_at)`, '>=', from)
      // A lower bound on starts_at for the index on starts_at: the earliest start among the one-off
      // events not over (event_oneoff_until_idx). Without it the list walks every past event before
      // the first coming one; OFFSET 0 keeps PostgreSQL from turning min() back into that walk.
      .where(
        'event.starts_at',
        '>=',
        sql<Date>`(SELECT min(s.starts_at) FROM (SELECT starts_at FROM event WHERE series_id IS NULL AND status IN ('published', 'cancelled') AND coalesce(ends_at, starts_at) >= ${from} OFFSET 0) AS s)`,
      )
      .where((eb) =>
        after
          ? eb.or([
              eb('event.starts_at', '>', after.startsAt),
              eb.and([eb('event.starts_at', '=', after.startsAt), eb('event.id', '>', after.id)]),
            ])
          : eb.val(true),
      )
      .orderBy('event.starts_at')
      .orderBy('event.id')
      .limit(limit + offset),
  );
  const nextOfSeries = db
    .selectFrom('event_series as s')
    .innerJoinLateral(
      (eb) =>
        filtered(
          eb
            .selectFrom('event')
            .select(['event.id', 'event.starts_at'])
            .whereRef('event.series_id', '=', 's.id')
            .where('event.status', '=', 'published')
            .where('event.starts_at', '>', new Date(from.getTime() - 86400000))
            .where(sql<Date>`coalesce(event.ends_at, event.starts_at)`, '>=', from)
            .orderBy('event.starts_at')
            .limit(1),
        ).as('next'),
      (join) => join.onTrue(),
    )
    .select(['next.id', 'next.starts_at'])
    // The cursor applies to the merged list: a series' next date is found without it (inside the
    // LATERAL), then compared with the cursor, so a series is listed once, at its next date, on
    // whichever page that date falls. Only the page's worth of series come back, in start order:
    // a thousand series are a thousand index probes here, not a thousand rows to sort in Node.
    .where((eb) =>
      after
        ? eb.or([
            eb('next.starts_at', '>', after.startsAt),
            eb.and([eb('next.starts_at', '=', after.startsAt), eb('next.id', '>', after.id)]),
          ])
        : eb.val(true),
    )
    .orderBy('next.starts_at')
    .orderBy('next.id')
    .limit(limit + offset);
  const [a, b] = await Promise.all([oneOff.execute(), nextOfSeries.execute()]);
  const page = [...a, ...b]
    .sort((x, y) => x.starts_at.getTime() - y.starts_at.getTime() || x.id - y.id)
    .slice(offset, offset + limit);
  if (page.length === 0) return [];
  const rows = await db
    .selectFrom('event')
    .selectAll()
    .where(
      'id',
      'in',
      page.map((r) => r.id),
    )
    .execute();
  const order = new Map(page.map((r, i) => [r.id, i]));
  rows.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
  return withOrganisers(db, rows);
}

export async function getPublicEventBySlug(db: Db, slug: string): Promise<PublicEvent | undefined> {
  if (!isSlug(slug)) return undefined;
  const rows = await db
    .selectFrom('event')
    .selectAll()
    .where('slug', '=', slug)
    .where('status', 'in', PUBLIC_STATUSES)
    .execute();
  const [event] = await withOrganisers(db, rows);
  return event;
}

async function withOrganisers(db: Db, rows: Selectable<EventTable>[]): Promise<PublicEvent[]> {
  if (rows.length === 0) return [];
  const organisers = await db
    .selectFrom('event_organiser')
    .innerJoin('organisation', 'organisation.id', 'event_organiser.organisation_id')
    .select(['event_organiser.event_id', 'organisation.name'])
    .where(
      'event_organiser.event_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('organisation.name')
    .execute();
  const seats = await seatsOf(db, rows);
  const seriesIds = [...new Set(rows.flatMap((r) => (r.series_id === null ? [] : [r.series_id])))];
  const rules = new Map(
    (seriesIds.length === 0
      ? []
      : await db.selectFrom('event_series').selectAll().where('id', 'in', seriesIds).execute()
    ).map((s): [number, SeriesRule] => [s.id, ruleOfRow(s)]),
  );
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    municipioId: r.municipio_id,
    title: r.title,
    summary: r.summary,
    description: r.description,
    venue: r.venue,
    address: r.address,
    transitHint: r.transit_hint,
    priceNote: r.price_note,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status as PublicEvent['status'],
    updatedAt: r.updated_at,
    organisers: organisers.filter((o) => o.event_id === r.id).map((o) => o.name),
    seats: seats.get(r.id) ?? null,
    seriesId: r.series_id,
    occurrenceDate: r.occurrence_date,
    seriesRule: r.series_id === null ? null : (rules.get(r.series_id) ?? null),
    stops: r.stops,
    facts: factsOfRow(r),
  }));
}
