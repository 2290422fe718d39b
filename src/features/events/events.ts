// Events published by the networks' partners: read side for the public pages, feeds and API.
import { sql, type Selectable } from 'kysely';
import type { Db, EventStatus, EventTable } from '#/server/db/database.ts';
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
const PUBLIC_STATUSES = ['published', 'cancelled'] as const;

/**
 * Events that have not ended by `from` (an event without an end counts as ending at its start),
 * soonest first. Organisers are fetched in one further query.
 */
/** Events on a page of the public list (?pagina=N). */
export const EVENTS_PER_PAGE = 20;

export async function listUpcomingEvents(
  db: Db,
  options: { from: Date; limit?: number; offset?: number } & EventFilters,
): Promise<PublicEvent[]> {
  let query = db
    .selectFrom('event')
    .selectAll()
    .where('status', 'in', PUBLIC_STATUSES)
    .where(sql<Date>`coalesce(ends_at, starts_at)`, '>=', options.from)
    // A lower bound on starts_at for the index on starts_at: the earliest start among the events not
    // over, found through event_public_until_idx. Without it the list walks every past event before
    // the first coming one (the whole history, growing every year); with it, only coming ones.
    // OFFSET 0 keeps PostgreSQL from turning min() back into a walk of the starts_at index.
    .where(
      'starts_at',
      '>=',
      sql<Date>`(SELECT min(s.starts_at) FROM (SELECT starts_at FROM event WHERE status IN ('published', 'cancelled') AND coalesce(ends_at, starts_at) >= ${options.from} OFFSET 0) AS s)`,
    )
    .orderBy('starts_at')
    .orderBy('id')
    .limit(Math.min(options.limit ?? 100, 500))
    .offset(Math.max(0, options.offset ?? 0));
  if (options.municipioId !== undefined) query = query.where('municipio_id', '=', options.municipioId);
  if (options.ageBand !== undefined)
    query = query.where((eb) =>
      eb.or([
        eb(sql`cardinality(age_bands)`, '=', 0),
        eb(sql`age_bands`, '@>', sql`ARRAY[${options.ageBand}]::text[]`),
      ]),
    );
  if (options.before !== undefined) query = query.where('starts_at', '<', options.before);
  // A recurring activity appears once, as its next date held (issue #13): a date of a series is
  // listed only when published and no earlier published date of it is still to come.
  query = query.where((eb) =>
    eb.or([
      eb('series_id', 'is', null),
      eb.and([
        eb('status', '=', 'published'),
        eb.not(
          eb.exists(
            eb
              .selectFrom('event as earlier')
              .select(sql`1`.as('one'))
              .whereRef('earlier.series_id', '=', 'event.series_id')
              .where('earlier.status', '=', 'published')
              .where(sql<Date>`coalesce(earlier.ends_at, earlier.starts_at)`, '>=', options.from)
              .whereRef('earlier.starts_at', '<', 'event.starts_at'),
          ),
        ),
      ]),
    ]),
  );
  return withOrganisers(db, await query.execute());
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
