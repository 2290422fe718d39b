// What staff see of events and what each may do with one: the read side (any status, the owner's
// name) and the `can` questions (src/features/staff-accounts/policy.ts) the pages and actions ask.
import { sql, type Selectable } from 'kysely';
import type { Db, EventStatus, EventTable } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { romeDateString } from '#/lib/time.ts';
import { factsOfRow, type EventFacts, type EventStop } from './event-facts.ts';

export interface StaffEvent {
  id: number;
  slug: string;
  status: EventStatus;
  municipioId: number | null;
  ownerOrganisationId: number | null;
  ownerName: string | null;
  title: LocalizedText;
  summary: LocalizedText;
  description: LocalizedText;
  transitHint: LocalizedText | null;
  priceNote: LocalizedText | null;
  venue: string;
  address: string;
  startsAt: Date;
  endsAt: Date | null;
  /** Seats families sign up for; null: "just come" (issue #13). */
  seats: number | null;
  facts: EventFacts;
  stops: EventStop[];
  /** The recurring activity this event is one date of (issue #13): editing it changes that date only. */
  occurrenceDate: string | null;
  /** Its recurring activity: the staff list shows a series once, at this date (its next). */
  seriesId: number | null;
  reviewNote: string | null;
  submittedAt: Date | null;
  updatedAt: Date;
  /**
   * Organisations named as its organisers (event_organiser): their partners see the event, read only,
   * even when another organisation (or the network) owns it (issue #15: a party at their venue).
   */
  organiserIds?: number[];
}

type EventRow = Selectable<EventTable> & { owner_name: string | null };

function baseQuery(db: Db) {
  return db
    .selectFrom('event')
    .leftJoin('organisation', 'organisation.id', 'event.owner_organisation_id')
    .selectAll('event')
    .select('organisation.name as owner_name');
}

function toStaffEvent(r: EventRow): StaffEvent {
  return {
    id: r.id,
    slug: r.slug,
    status: r.status,
    municipioId: r.municipio_id,
    ownerOrganisationId: r.owner_organisation_id,
    ownerName: r.owner_name,
    title: r.title,
    summary: r.summary,
    description: r.description,
    transitHint: r.transit_hint,
    priceNote: r.price_note,
    venue: r.venue,
    address: r.address,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    seats: r.seats,
    facts: factsOfRow(r),
    stops: r.stops,
    occurrenceDate: r.occurrence_date,
    seriesId: r.series_id,
    reviewNote: r.review_note,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
  };
}

/** The organisers of these events, by event id. */
async function withOrganiserIds(db: Db, events: StaffEvent[]): Promise<StaffEvent[]> {
  if (events.length === 0) return events;
  const rows = await db
    .selectFrom('event_organiser')
    .select(['event_id', 'organisation_id'])
    .where(
      'event_id',
      'in',
      events.map((e) => e.id),
    )
    .execute();
  return events.map((e) => ({
    ...e,
    organiserIds: rows.filter((r) => r.event_id === e.id).map((r) => r.organisation_id),
  }));
}

/** Any event by id, whatever its status: the caller checks `can` before showing anything. */
export async function getEventForStaff(db: Db, id: number): Promise<StaffEvent | undefined> {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647) return undefined;
  const row = await baseQuery(db).where('event.id', '=', id).executeTakeFirst();
  return row && (await withOrganiserIds(db, [toStaffEvent(row)]))[0];
}

const policyEvent = (e: { ownerOrganisationId: number | null; municipioId: number | null }) => ({
  ownerOrganisationId: e.ownerOrganisationId,
  municipioId: e.municipioId,
});
export const canEditEvent = (actor: Actor, e: StaffEvent) => can(actor, { kind: 'event.edit', event: policyEvent(e) });
export const canModerateEvent = (actor: Actor, e: StaffEvent) =>
  can(actor, { kind: 'event.moderate', event: policyEvent(e) });

/**
 * What the actor may do with the event now (buttons are shown only for these). `changeWaiting`: a
 * published event's edit waits for review (event-revisions.ts): publish approves it, send back refuses it.
 */
export function eventActions(actor: Actor, e: StaffEvent, changeWaiting = false) {
  const edit = canEditEvent(actor, e);
  const moderate = canModerateEvent(actor, e);
  const toReview = e.status === 'submitted' || (e.status === 'published' && changeWaiting);
  // A partner whose organisation is among the organisers sees it (read only) without owning it.
  const organiser =
    actor.role === 'partner_editor' &&
    actor.organisationId !== null &&
    (e.organiserIds ?? []).includes(actor.organisationId);
  return {
    /** Work on it: its page with the door (sign-ups) for whoever may edit or moderate it. */
    view: edit || moderate,
    /** See its staff page and preview (read only for co-organisers). */
    see: edit || moderate || organiser,
    edit: edit && e.status !== 'cancelled',
    submit: edit && e.status === 'draft',
    publish: moderate && toReview,
    sendBack: moderate && toReview,
    cancel: (edit || moderate) && e.status === 'published',
  };
}

/**
 * One date per recurring activity: its next date not over, or its last when all are. Two probes per
 * series on the (series_id, occurrence_date) index, so a year of weekly dates costs the list one row
 * and a thousand series two thousand index look-ups, not a sort of every date. The next date is
 * looked for from yesterday's day of the rule on: a date moved more than a day later than its own
 * day may then be passed over for the one after it, in this staff list only.
 */
function seriesShownDates(db: Db, now: Date) {
  const yesterday = romeDateString(new Date(now.getTime() - 86_400_000));
  return db.selectFrom('event_series as s').select(
    sql<number>`coalesce(
      (SELECT e.id FROM event e WHERE e.series_id = s.id AND e.occurrence_date >= ${yesterday}
         AND coalesce(e.ends_at, e.starts_at) >= ${now} ORDER BY e.occurrence_date LIMIT 1),
      (SELECT e.id FROM event e WHERE e.series_id = s.id ORDER BY e.occurrence_date DESC LIMIT 1))`.as('id'),
  );
}

/**
 * The list is read in two steps: which events (their id and start only, narrow rows, on the
 * indexes), then the page's own rows in full. Reading the full rows of every series' shown date to
 * keep 50 of them cost more than all the rest (25 ms at 1,000 series, docs/performance.md).
 */
function eventKeys(db: Db) {
  return db.selectFrom('event').select(['event.id', 'event.starts_at']);
}
type Query = ReturnType<typeof eventKeys>;
type EventKey = { id: number; starts_at: Date };

/** The full rows of these events, in the order given. */
async function eventsByKeys(db: Db, keys: readonly EventKey[]): Promise<StaffEvent[]> {
  if (keys.length === 0) return [];
  const rows = await baseQuery(db)
    .where(
      'event.id',
      'in',
      keys.map((k) => k.id),
    )
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ordered = keys.flatMap((k) => {
    const row = byId.get(k.id);
    return row ? [toStaffEvent(row)] : [];
  });
  return withOrganiserIds(db, ordered);
}

/** Newest first (the later start; the higher id at the same start). */
const newestFirst = (x: EventKey, y: EventKey) => y.starts_at.getTime() - x.starts_at.getTime() || y.id - x.id;

/** The events the actor works on (each role's own), or undefined for none at all. */
function actorScope(actor: Actor): ((query: Query) => Query) | undefined {
  if (actor.role === 'coordinator') {
    if (actor.municipi.length === 0) return undefined;
    return (query) => query.where('event.municipio_id', 'in', [...actor.municipi]);
  }
  if (actor.role === 'partner_editor') {
    if (actor.organisationId === null) return undefined;
    const organisationId = actor.organisationId;
    // Their own events, and those their organisation co-organises (seen read only).
    return (query) =>
      query.where((eb) =>
        eb.or([
          eb('event.owner_organisation_id', '=', organisationId),
          eb.exists(
            eb
              .selectFrom('event_organiser')
              .select('event_organiser.event_id')
              .whereRef('event_organiser.event_id', '=', 'event.id')
              .where('event_organiser.organisation_id', '=', organisationId),
          ),
        ]),
      );
  }
  if (actor.role === 'admin') return (query) => query;
  return undefined;
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
  events: StaffEvent[];
  /** The page of older events, if there are any. */
  older?: StaffEventCursor;
  /** The page of newer events, if there are any. */
  newer?: StaffEventCursor;
}

/** A page of the staff list: 50 rows render in a few milliseconds; a city's thousand do not. */
export const STAFF_EVENTS_PER_PAGE = 50;

function filtered(query: Query, filter: StaffEventFilter): Query {
  let q = query;
  if (filter.status) q = q.where('event.status', '=', filter.status);
  if (filter.municipio !== undefined) q = q.where('event.municipio_id', '=', filter.municipio);
  return q;
}

/**
 * One page of the events the actor may edit or moderate, soonest-starting last (newest plans
 * first); a recurring activity once, at its next date (its page, series/[id], lists the others).
 * Keyset paging on (starts_at, id): each read takes the page's rows (and one more, to know whether
 * there is a next page) from its index, however deep the page.
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
  const page = (query: Query) => {
    let q = filtered(mine(query), filter);
    if (cursor)
      q = q.where(
        sql<boolean>`(event.starts_at, event.id) ${sql.raw(newerFirst ? '<' : '>')} (${cursor.startsAt}, ${cursor.id})`,
      );
    return q
      .orderBy('event.starts_at', order)
      .orderBy('event.id', order)
      .limit(perPage + 1)
      .execute();
  };
  // Two reads, each on its index (one-off events: event_staff_oneoff_idx, 0700; a series' shown
  // date: its two probes), merged: an OR of both would read every date of every series.
  // The series' dates by their ids: as a subquery, PostgreSQL hashed the whole event table to join them.
  const shown = (await seriesShownDates(db, now).execute()).flatMap((r) => (r.id === null ? [] : [r.id]));
  const [oneOff, series] = await Promise.all([
    page(eventKeys(db).where('event.series_id', 'is', null)),
    shown.length === 0 ? [] : page(eventKeys(db).where('event.id', 'in', shown)),
  ]);
  const sign = newerFirst ? 1 : -1;
  const merged = [...oneOff, ...series].sort((x, y) => sign * newestFirst(x, y));
  const more = merged.length > perPage;
  const rows = merged.slice(0, perPage);
  if (!newerFirst) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  // Coming from a page means that page is still there; reading past the page tells whether one is beyond.
  const hasOlder = newerFirst ? more : cursor !== undefined;
  const hasNewer = newerFirst ? cursor !== undefined : more;
  const events = await eventsByKeys(db, rows);
  return {
    events: events.filter((e) => eventActions(actor, e).see),
    ...(hasOlder && last ? { older: { startsAt: last.starts_at, id: last.id, direction: 'after' as const } } : {}),
    ...(hasNewer && first ? { newer: { startsAt: first.starts_at, id: first.id, direction: 'before' as const } } : {}),
  };
}

/** Events the actor may edit or moderate, as listEventsPage: the first `limit`. */
export async function listEventsForActor(
  db: Db,
  actor: Actor,
  limit = 500,
  now: Date = new Date(),
): Promise<StaffEvent[]> {
  return (await listEventsPage(db, actor, { perPage: limit, now })).events;
}

/** What waits for review shown above every page: the newest few, and a link to all of them. */
export const TO_REVIEW_SHOWN = 10;

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
): Promise<{ events: StaffEvent[]; more: boolean }> {
  const mine = actorScope(actor);
  const none = { events: [], more: false };
  if (!mine || (actor.role !== 'coordinator' && actor.role !== 'admin')) return none;
  if (filter.status && filter.status !== 'submitted' && filter.status !== 'published') return none;
  const revised = (await db.selectFrom('event_revision').select('event_id').execute()).map((r) => r.event_id);
  const newest = (query: Query) =>
    filtered(mine(query), filter)
      .orderBy('event.starts_at', 'desc')
      .orderBy('event.id', 'desc')
      .limit(limit + 1)
      .execute();
  const [submitted, edited] = await Promise.all([
    newest(eventKeys(db).where('event.status', '=', 'submitted')),
    revised.length === 0
      ? []
      : newest(eventKeys(db).where('event.id', 'in', revised).where('event.status', '=', 'published')),
  ]);
  const rows = [...submitted, ...edited].sort(newestFirst);
  const events = await eventsByKeys(db, rows.slice(0, limit));
  return { events: events.filter((e) => eventActions(actor, e, true).publish), more: rows.length > limit };
}

/** Municipi the actor may create events in (ids of `all`). */
export function municipiForNewEvents(actor: Actor, all: readonly number[]): number[] {
  const organisationId = actor.role === 'partner_editor' ? actor.organisationId : null;
  return all.filter((m) => can(actor, { kind: 'event.create', organisationId, municipioId: m }));
}

export async function listOrganisations(db: Db): Promise<{ id: number; name: string; municipioId: number | null }[]> {
  const rows = await db.selectFrom('organisation').select(['id', 'name', 'municipio_id']).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, municipioId: r.municipio_id }));
}
