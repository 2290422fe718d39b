// What staff see of events and what each may do with one: the read side (any status, the owner's
// name) and the `can` questions (src/features/staff-accounts/policy.ts) the pages and actions ask.
import type { Selectable } from 'kysely';
import type { Db, EventStatus, EventTable } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { factsOfRow } from './event-facts.ts';
import type { EventContent } from './event-form.ts';

export interface StaffEvent extends EventContent {
  id: number;
  slug: string;
  status: EventStatus;
  municipioId: number | null;
  ownerOrganisationId: number | null;
  ownerName: string | null;
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

/** What the policy and `eventActions` ask of an event: the full one or a row of the staff list. */
export type EventScope = Pick<StaffEvent, 'status' | 'ownerOrganisationId' | 'municipioId' | 'organiserIds'>;

const policyEvent = (e: { ownerOrganisationId: number | null; municipioId: number | null }) => ({
  ownerOrganisationId: e.ownerOrganisationId,
  municipioId: e.municipioId,
});
export const canEditEvent = (actor: Actor, e: EventScope) => can(actor, { kind: 'event.edit', event: policyEvent(e) });
export const canModerateEvent = (actor: Actor, e: EventScope) =>
  can(actor, { kind: 'event.moderate', event: policyEvent(e) });

/**
 * What the actor may do with the event now (buttons are shown only for these). `changeWaiting`: a
 * published event's edit waits for review (event-revisions.ts): publish approves it, send back refuses it.
 */
export function eventActions(actor: Actor, e: EventScope, changeWaiting = false) {
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

/** Municipi the actor may create events in (ids of `all`). */
export function municipiForNewEvents(actor: Actor, all: readonly number[]): number[] {
  const organisationId = actor.role === 'partner_editor' ? actor.organisationId : null;
  return all.filter((m) => can(actor, { kind: 'event.create', organisationId, municipioId: m }));
}

export async function listOrganisations(db: Db): Promise<{ id: number; name: string; municipioId: number | null }[]> {
  const rows = await db.selectFrom('organisation').select(['id', 'name', 'municipio_id']).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, municipioId: r.municipio_id }));
}
