// What staff see of events and what each may do with one: the read side (any status, the owner's
// name) and the `can` questions (src/features/staff-accounts/policy.ts) the pages and actions ask.
import type { Selectable } from 'kysely';
import type { Db, EventStatus, EventTable } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import type { LocalizedText } from '#/lib/locales.ts';

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
  reviewNote: string | null;
  submittedAt: Date | null;
  updatedAt: Date;
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
    reviewNote: r.review_note,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
  };
}

/** Any event by id, whatever its status: the caller checks `can` before showing anything. */
export async function getEventForStaff(db: Db, id: number): Promise<StaffEvent | undefined> {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647) return undefined;
  const row = await baseQuery(db).where('event.id', '=', id).executeTakeFirst();
  return row && toStaffEvent(row);
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
  return {
    view: edit || moderate,
    edit: edit && e.status !== 'cancelled',
    submit: edit && e.status === 'draft',
    publish: moderate && toReview,
    sendBack: moderate && toReview,
    cancel: (edit || moderate) && e.status === 'published',
  };
}

/** Events the actor may edit or moderate, soonest-starting last (newest plans first). */
export async function listEventsForActor(db: Db, actor: Actor, limit = 500): Promise<StaffEvent[]> {
  let query = baseQuery(db).orderBy('event.starts_at', 'desc').orderBy('event.id', 'desc').limit(limit);
  if (actor.role === 'coordinator') {
    if (actor.municipi.length === 0) return [];
    query = query.where('event.municipio_id', 'in', [...actor.municipi]);
  } else if (actor.role === 'partner_editor') {
    if (actor.organisationId === null) return [];
    query = query.where('event.owner_organisation_id', '=', actor.organisationId);
  } else if (actor.role !== 'admin') {
    return [];
  }
  return (await query.execute()).map(toStaffEvent).filter((e) => eventActions(actor, e).view);
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
