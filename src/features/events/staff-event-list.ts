// The staff list of events (/{it|en}/staff/eventi) as the database gives it: a page of the events
// the actor may edit or moderate (keyset on starts_at, id), and what waits for a moderator's review.
// Each is one statement that returns the page's rows as the list shows them (no description, no
// facts): a thousand series' shown dates are picked, sorted and cut to a page inside PostgreSQL,
// with the rows' organisers and waiting edits, in one round trip (docs/performance.md, Scale).
import { sql, type RawBuilder } from 'kysely';
import type { Db, EventStatus } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { romeDateString } from '#/lib/time.ts';
import { eventActions } from './staff-events.ts';

/** A row of the staff list: what it shows, and what `eventActions` asks of an event. */
export interface StaffEventRow {
  id: number;
  status: EventStatus;
  municipioId: number | null;
  ownerOrganisationId: number | null;
  ownerName: string | null;
  title: LocalizedText;
  startsAt: Date;
  endsAt: Date | null;
  /** Its recurring activity: the list shows a series once, at this date (its next). */
  seriesId: number | null;
  occurrenceDate: string | null;
  reviewNote: string | null;
  /** Organisations named as its organisers: their partners see it, read only. */
  organiserIds: number[];
  /** A published event whose edit waits for review (event_revision). */
  changeWaiting: boolean;
}

/** The staff list's filters (its GET form): one status, one municipio; none for all. */
export interface StaffEventFilter {
  status?: EventStatus;
  municipio?: number;
}

/** Where a page of the list starts: the last event shown (`after`, older ones) or the first (`before`, newer ones). */
export interface StaffEventCursor {
  startsAt: Date;
  id: number;
  direction: 'after' | 'before';
}

export interface StaffEventPage {
  events: StaffEventRow[];
  /** The page of older events, if there are any. */
  older?: StaffEventCursor;
  /** The page of newer events, if there are any. */
  newer?: StaffEventCursor;
}

/**
 * A page of the staff list: a city's thousand rows do not render in time (docs/performance.md,
 * Scale). 25 fill a screen or two, with half the rendering and compressing of 50; the filters and
 * the "older" link reach the rest.
 */
export const STAFF_EVENTS_PER_PAGE = 25;

/** What waits for review shown above every page: the newest few, and a link to all of them. */
export const TO_REVIEW_SHOWN = 10;

// Every condition below is on a relation called "event": the event table, or a series' shown date.
type Condition = RawBuilder<unknown>;

/** The events the actor works on (each role's own), or undefined for none at all. */
function actorScope(actor: Actor): Condition | undefined {
  if (actor.role === 'coordinator') {
    if (actor.municipi.length === 0) return undefined;
    return sql`event.municipio_id in (${sql.join([...actor.municipi])})`;
  }
  if (actor.role === 'partner_editor') {
    if (actor.organisationId === null) return undefined;
    // Their own events, and those their organisation co-organises (seen read only).
    return sql`(event.owner_organisation_id = ${actor.organisationId} or exists (select 1 from event_organiser o
      where o.event_id = event.id and o.organisation_id = ${actor.organisationId}))`;
  }
  if (actor.role === 'admin') return sql`true`;
  return undefined;
}

function filterConditions(filter: StaffEventFilter): Condition[] {
  return [
    ...(filter.status ? [sql`event.status = ${filter.status}`] : []),
    ...(filter.municipio !== undefined ? [sql`event.municipio_id = ${filter.municipio}`] : []),
  ];
}

const all = (conditions: Condition[]) => sql.join(conditions, sql` and `);

/**
 * The page's rows in full, in the order of `keys` (a query of id and starts_at): the owner's name,
 * the organisers (as JSON, which both drivers read alike) and whether an edit waits for review.
 */
async function rowsOf(db: Db, keys: Condition, order: 'asc' | 'desc'): Promise<StaffEventRow[]> {
  const dir = sql.raw(order);
  const { rows } = await sql<{
    id: number;
    status: EventStatus;
    municipio_id: number | null;
    owner_organisation_id: number | null;
    owner_name: string | null;
    title: LocalizedText;
    starts_at: Date;
    ends_at: Date | null;
    series_id: number | null;
    occurrence_date: string | null;
    review_note: string | null;
    organiser_ids: number[];
    change_waiting: boolean;
  }>`with keys as (${keys})
    select event.id, event.status, event.municipio_id, event.owner_organisation_id, organisation.name as owner_name,
      event.title, event.starts_at, event.ends_at, event.series_id, event.occurrence_date, event.review_note,
      (select coalesce(jsonb_agg(o.organisation_id), '[]'::jsonb) from event_organiser o where o.event_id = event.id)
        as organiser_ids,
      exists (select 1 from event_revision r where r.event_id = event.id) as change_waiting
    from keys join event on event.id = keys.id
    left join organisation on organisation.id = event.owner_organisation_id
    order by keys.starts_at ${dir}, keys.id ${dir}`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    municipioId: r.municipio_id,
    ownerOrganisationId: r.owner_organisation_id,
    ownerName: r.owner_name,
    title: r.title,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    seriesId: r.series_id,
    occurrenceDate: r.occurrence_date,
    reviewNote: r.review_note,
    organiserIds: r.organiser_ids,
    changeWaiting: r.change_waiting,
  }));
}

/**
 * Each recurring activity's shown date as a relation "event" (id, starts_at and what the conditions
 * ask): its next date not over, or its last when all are. Two probes per series on the
 * (series_id, occurrence_date) index, the second only for a series that is over; as a lateral
 * join rather than a list of ids, so PostgreSQL keeps a page of them, not a thousand. The next
 * date is looked for from yesterday's day of the rule on: a date moved more than a day later than
 * its own day may then be passed over for the one after it, in this staff list only.
 */
function seriesShownDates(now: Date, series: Condition): Condition {
  const yesterday = romeDateString(new Date(now.getTime() - 86_400_000));
  const columns = sql`e.id, e.starts_at, e.status, e.municipio_id, e.owner_organisation_id`;
  return sql`(select * from event_series s where ${series}) s cross join lateral (
      (select ${columns} from event e where e.series_id = s.id and e.occurrence_date >= ${yesterday}
         and coalesce(e.ends_at, e.starts_at) >= ${now} order by e.occurrence_date limit 1)
      union all
      (select ${columns} from event e where e.series_id = s.id order by e.occurrence_date desc limit 1)
      limit 1) as event`;
}

/**
 * One page of the events the actor may edit or moderate, newest plans first; a recurring activity
 * once, at its next date (its page, series/[id], lists the others). Keyset paging on (starts_at,
 * id): the one-off events are read on event_staff_oneoff_idx (0700), the series' shown dates by
 * their probes, each side cut to the page (and one more row, to know whether there is a next page)
 * before they are merged; then the page's rows in full.
 *
 * Which series to probe: a series' shown date is one of its dates, so only a series with a date
 * (matching the filters) between the cursor and the page's last one-off event can be on the page.
 * Those dates are read on event_staff_series_idx (0500), at most as many as there are series: when
 * fewer, only their series are probed (none on a first page whose one-off plans reach past every
 * series' dates); otherwise every series is, as before.
 */
export async function listEventsPage(
  db: Db,
  actor: Actor,
  options: { filter?: StaffEventFilter; cursor?: StaffEventCursor; perPage?: number; now?: Date } = {},
): Promise<StaffEventPage> {
  const { filter = {}, cursor, perPage = STAFF_EVENTS_PER_PAGE, now = new Date() } = options;
  const mine = actorScope(actor);
  if (!mine) return { events: [] };
  const newerFirst = cursor?.direction !== 'before';
  const order = newerFirst ? 'desc' : 'asc';
  const dir = sql.raw(order);
  const where = all([
    mine,
    ...filterConditions(filter),
    ...(cursor
      ? [sql`(event.starts_at, event.id) ${sql.raw(newerFirst ? '<' : '>')} (${cursor.startsAt}, ${cursor.id})`]
      : []),
  ]);
  const limit = perPage + 1;
  const side = (from: Condition, only: Condition) =>
    sql`(select event.id, event.starts_at from ${from} where ${only} and ${where}
      order by event.starts_at ${dir}, event.id ${dir} limit ${limit})`;
  // The page's far end among one-off events (none when they do not fill it), and the series' dates
  // on this side of it: a series row past that end cannot make the page.
  const [edge, beyond, unbounded] = newerFirst ? ['min', '>=', '-infinity'] : ['max', '<=', 'infinity'];
  const seriesCount = sql`(select count(*) from event_series)`;
  const keys = sql`with oneoff as ${side(sql`event`, sql`event.series_id is null`)},
    edge as (select case when count(*) = ${limit} then ${sql.raw(edge)}(starts_at) end as t from oneoff),
    near as (select event.series_id from event where event.series_id is not null and ${where}
      and event.starts_at ${sql.raw(beyond)} coalesce((select t from edge), ${unbounded}::timestamptz)
      order by event.starts_at ${dir}, event.id ${dir} limit ${seriesCount}),
    few as (select count(*) < ${seriesCount} as yes from near)
    (select id, starts_at from oneoff) union all
    ${side(seriesShownDates(now, sql`not (select yes from few) or s.id in (select series_id from near)`), sql`true`)}
    order by starts_at ${dir}, id ${dir} limit ${limit}`;
  const rows = await rowsOf(db, keys, order);
  const more = rows.length > perPage;
  const shown = rows.slice(0, perPage);
  if (!newerFirst) shown.reverse();
  const first = shown[0];
  const last = shown.at(-1);
  // Coming from a page means that page is still there; reading past the page tells whether one is beyond.
  const hasOlder = newerFirst ? more : cursor !== undefined;
  const hasNewer = newerFirst ? cursor !== undefined : more;
  return {
    events: shown.filter((e) => eventActions(actor, e).see),
    ...(hasOlder && last ? { older: { startsAt: last.startsAt, id: last.id, direction: 'after' as const } } : {}),
    ...(hasNewer && first ? { newer: { startsAt: first.startsAt, id: first.id, direction: 'before' as const } } : {}),
  };
}

/** Events the actor may edit or moderate, as listEventsPage: the first `limit`. */
export async function listEventsForActor(
  db: Db,
  actor: Actor,
  limit = 500,
  now: Date = new Date(),
): Promise<StaffEventRow[]> {
  return (await listEventsPage(db, actor, { perPage: limit, now })).events;
}

/**
 * What waits for the moderator's review, shown above every page of the list: the events sent for
 * review and the published ones whose edit waits (event_revision), newest first, the first `limit`
 * and whether there are more. Submitted events are read on their own index (event_submitted_idx,
 * 0300); the waiting edits are few.
 */
export async function listToReview(
  db: Db,
  actor: Actor,
  filter: StaffEventFilter = {},
  limit = TO_REVIEW_SHOWN,
): Promise<{ events: StaffEventRow[]; more: boolean }> {
  const mine = actorScope(actor);
  const none = { events: [], more: false };
  if (!mine || (actor.role !== 'coordinator' && actor.role !== 'admin')) return none;
  if (filter.status && filter.status !== 'submitted' && filter.status !== 'published') return none;
  const where = all([mine, ...filterConditions(filter)]);
  const side = (only: Condition) =>
    sql`(select event.id, event.starts_at from event where ${only} and ${where}
      order by event.starts_at desc, event.id desc limit ${limit + 1})`;
  const keys = sql`${side(sql`event.status = 'submitted'`)} union all
    ${side(sql`event.status = 'published' and event.id in (select event_id from event_revision)`)}
    order by starts_at desc, id desc limit ${limit + 1}`;
  const rows = await rowsOf(db, keys, 'desc');
  const events = rows.slice(0, limit).filter((e) => eventActions(actor, e, true).publish);
  return { events, more: rows.length > limit };
}
