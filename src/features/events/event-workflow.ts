// Partners and coordinators writing events: creating a draft, saving it, and the review workflow
//
//   draft ──submit──▶ submitted ──publish──▶ published ──cancel──▶ cancelled
//     ▲                  │   ▲                   │
//     └───send back──────┘
//
// An edit of a published event does not change its status: the change waits in event_revision
// (./event-revisions.ts) and the published version stays live until a moderator approves it
// ("publish" again) or sends it back. Submitting, and a change waiting, tell the municipio's
// coordinators (./review-notice.ts).
//
// Authorization is `can` (src/features/staff-accounts/policy.ts) on the event as loaded. Every write is then one
// UPDATE whose WHERE repeats what was checked: the expected status(es) and the municipio and owner
// `can` was asked about. So two moderators cannot both publish (the second finds no row), and an
// event moved out of someone's scope between the check and the write is not written.
// Publish, send back and cancel leave an audit row in the same transaction.
import { offerEventSeats } from '#/features/waitlist/event-offers.ts';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Database, Db, EventStatus } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { romeParts } from '#/lib/time.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { slugify } from '#/lib/text.ts';
import {
  checkEventForm,
  checkReviewNote,
  eventFormValues,
  type EventFormValues,
  type EventInput,
} from './event-form.ts';
import { flattenEventForm, getPendingRevision, revisionFormValues, type PendingRevision } from './event-revisions.ts';
import { notifyReviewers } from './review-notice.ts';
import { noticeDateMoved, noticeDatesCancelled } from './date-notices.ts';
import { canEditEvent, canModerateEvent, getEventForStaff, type StaffEvent } from './staff-events.ts';

/** Route-cache tags of the public pages that show an event (see src/server/cache/live-page.ts). */
export const publicEventTags = (slug: string) => ['events', `event:${slug}`];

/** seats_below_taken: the form names fewer seats than families have already taken (nothing written). */
export type EventWriteError = 'not_found' | 'forbidden' | 'conflict' | 'seats_below_taken';
export type EventChange =
  | {
      ok: true;
      event: StaffEvent;
      /** Tags to invalidate: the public pages changed. */ cacheTags: string[];
      backToReview: boolean;
    }
  | { ok: false; error: EventWriteError };

/** "festa-di-natale-2026": the Italian title (cut at 80 characters) and the year in Rome. */
export function eventSlugBase(title: string, startsAt: Date): string {
  const words = slugify(title).slice(0, 80).replace(/-+$/, '') || 'evento';
  return `${words}-${romeParts(startsAt).year}`;
}

/** The base, or the base with the first free "-2", "-3"… among the event slugs (or the series' ones). */
export async function freeSlug(db: Db, base: string, table: 'event' | 'event_series' = 'event'): Promise<string> {
  const taken = new Set(
    (
      await (db as Kysely<Pick<Database, 'event'>>)
        .selectFrom(table as 'event')
        .select('slug')
        .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
        .execute()
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

const json = (text: LocalizedText | null) => (text ? JSON.stringify(text) : null);

/** The event row's columns of the form's content (a new series writes them on every date). */
export function contentColumns(input: EventInput) {
  return {
    municipio_id: input.municipioId,
    title: json(input.title)!,
    summary: json(input.summary)!,
    description: json(input.description)!,
    transit_hint: json(input.transitHint),
    price_note: json(input.priceNote),
    venue: input.venue,
    address: input.address,
    starts_at: input.startsAt,
    ends_at: input.endsAt,
    seats: input.seats,
    // Facts and stops (#13).
    stops: JSON.stringify(input.stops),
    age_bands: input.facts.ageBands,
    price_kind: input.facts.priceKind,
    price_cents: input.facts.priceCents,
    step_free: input.facts.stepFree,
    lis: input.facts.lis,
    childcare: input.facts.childcare,
    languages: input.facts.languages,
  };
}

/** The owner an actor gives an event: partners always their own organisation. */
export const ownerFor = (actor: Actor, input: Pick<EventInput, 'organisationId'>) =>
  actor.role === 'partner_editor' ? actor.organisationId : input.organisationId;

/**
 * A new draft. Its slug comes from the Italian title and the year and never changes afterwards
 * (published addresses stay valid); two drafts racing for the same slug retry with a suffix.
 */
/**
 * A real municipio the actor may not write for: a refusal (403, nothing changed), not a form error,
 * so that the authorization matrix sees the same answer whatever the form says.
 */
export function namesForbiddenMunicipio(values: EventFormValues, allowed: readonly number[]): boolean {
  const raw = values.municipioId.trim();
  return /^[1-9]$/.test(raw) && !allowed.includes(Number(raw));
}

export async function createEvent(
  db: Db,
  actor: Actor,
  input: EventInput,
  now: Date = new Date(),
): Promise<{ ok: true; event: StaffEvent } | { ok: false; error: 'forbidden' }> {
  const owner = ownerFor(actor, input);
  if (!can(actor, { kind: 'event.create', organisationId: owner, municipioId: input.municipioId }))
    return { ok: false, error: 'forbidden' };
  const base = eventSlugBase(input.title.it, input.startsAt);
  for (let attempt = 0; ; attempt++) {
    try {
      const id = await runInTransaction(db, async (trx) => {
        const row = await trx
          .insertInto('event')
          .values({
            ...contentColumns(input),
            slug: await freeSlug(trx, base),
            status: 'draft',
            owner_organisation_id: owner,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (owner !== null)
          await trx.insertInto('event_organiser').values({ event_id: row.id, organisation_id: owner }).execute();
        return row.id;
      });
      return { ok: true, event: (await getEventForStaff(db, id))! };
    } catch (error) {
      // Another draft took the slug between our look-up and our insert: look again.
      if (!isUniqueViolation(error) || db.isTransaction || attempt >= 4) throw error;
    }
  }
}

/** The WHERE that pins what `can` was asked about: the event's municipio and owner as loaded. */
function sameScope(e: StaffEvent) {
  return (eb: ExpressionBuilder<Database, 'event'>): Expression<SqlBool> =>
    eb.and([
      eb('event.municipio_id', 'is not distinct from', e.municipioId),
      eb('event.owner_organisation_id', 'is not distinct from', e.ownerOrganisationId),
    ]);
}

/**
 * The WHERE that keeps the seats the form names at or above the seats families have already taken
 * (the database refuses the row otherwise: migration 2026_12_07_0100); the UPDATE repeats it so a
 * sign-up between the check and the write is counted.
 */
function seatsFit(seats: number | null) {
  return (eb: ExpressionBuilder<Database, 'event'>): Expression<SqlBool> =>
    seats === null ? eb.lit(true) : eb('event.seats_taken', '<=', seats);
}

/** Whether an UPDATE that found no row missed it for the seats already taken (not a status change). */
async function seatsBelowTaken(db: Db, id: number, seats: number | null): Promise<boolean> {
  if (seats === null) return false;
  const row = await db.selectFrom('event').select('seats_taken').where('id', '=', id).executeTakeFirst();
  return row !== undefined && row.seats_taken > seats;
}

/** Moves the event's owning organisation among its organisers (partners of the owner may edit it). */
async function moveOwner(trx: Db, id: number, from: number | null, to: number | null) {
  if (to === from) return;
  if (from !== null)
    await trx.deleteFrom('event_organiser').where('event_id', '=', id).where('organisation_id', '=', from).execute();
  if (to !== null)
    await trx
      .insertInto('event_organiser')
      .values({ event_id: id, organisation_id: to })
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/**
 * Saves the form over an event. Drafts and submitted events keep their status. A published event
 * stays as it is, live: the form (`values`, as checked into `input`) waits in event_revision for a
 * moderator, and the municipio's coordinators are told. Cancelled events are not edited.
 */
export async function updateEvent(
  db: Db,
  actor: Actor,
  id: number,
  input: EventInput,
  now: Date = new Date(),
  values?: EventFormValues,
): Promise<EventChange> {
  const current = await getEventForStaff(db, id);
  if (!current) return { ok: false, error: 'not_found' };
  if (!canEditEvent(actor, current)) return { ok: false, error: 'forbidden' };
  const owner = actor.role === 'partner_editor' ? current.ownerOrganisationId : input.organisationId;
  // The event as it will be must stay within the actor's reach too (no moving it to another municipio).
  if (!can(actor, { kind: 'event.edit', event: { ownerOrganisationId: owner, municipioId: input.municipioId } }))
    return { ok: false, error: 'forbidden' };
  if (current.status === 'cancelled') return { ok: false, error: 'conflict' };
  if (current.status === 'published')
    return proposeChange(db, actor, current, input, owner, values ?? eventFormValues({ ...current, ...input }), now);
  const updated = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('event')
      .set({ ...contentColumns(input), owner_organisation_id: owner, updated_at: now })
      .where('event.id', '=', id)
      .where('event.status', '=', current.status)
      .where(sameScope(current))
      .where(seatsFit(input.seats))
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await moveOwner(trx, id, current.ownerOrganisationId, owner);
    return true;
  });
  if (!updated)
    return { ok: false, error: (await seatsBelowTaken(db, id, input.seats)) ? 'seats_below_taken' : 'conflict' };
  return { ok: true, event: (await getEventForStaff(db, id))!, cacheTags: [], backToReview: false };
}

/**
 * A published event's edit: kept as its form (owner resolved, so a partner's form, which has no
 * owner field, reads the same when approved) while the event stays live. The UPDATE of the event
 * row (status unchanged) locks it and repeats the scope checked, as every write here does.
 */
async function proposeChange(
  db: Db,
  actor: Actor,
  current: StaffEvent,
  input: EventInput,
  owner: number | null,
  values: EventFormValues,
  now: Date,
): Promise<EventChange> {
  const form = flattenEventForm({ ...values, organisationId: owner === null ? '' : String(owner) });
  const stored = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('event')
      .set({ status: 'published' })
      .where('event.id', '=', current.id)
      .where('event.status', '=', 'published')
      .where(sameScope(current))
      // A change that could never be approved is refused now, while its author is at the form.
      .where(seatsFit(input.seats))
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    const revision = {
      form_values: JSON.stringify(form),
      municipio_id: input.municipioId,
      submitted_by: actor.id,
      submitted_at: now,
    };
    await trx
      .insertInto('event_revision')
      .values({ event_id: current.id, ...revision })
      .onConflict((oc) => oc.column('event_id').doUpdateSet(revision))
      .execute();
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'event.edit_published',
      subject: `event:${current.slug}`,
      detail: { id: current.id },
    });
    await notifyReviewers(trx, input.municipioId, { eventId: current.id, title: input.title.it, change: true });
    return true;
  });
  if (!stored)
    return {
      ok: false,
      error: (await seatsBelowTaken(db, current.id, input.seats)) ? 'seats_below_taken' : 'conflict',
    };
  return { ok: true, event: (await getEventForStaff(db, current.id))!, cacheTags: [], backToReview: true };
}

/**
 * A waiting change approved: checked again as a form (any field the form has travels), the
 * moderator allowed on the event as it will be, written over the event, and the revision removed —
 * only the one the moderator saw (a newer edit meanwhile is a conflict, nothing written).
 */
async function approveChange(
  db: Db,
  actor: Actor,
  current: StaffEvent,
  revision: PendingRevision,
  now: Date,
): Promise<EventChange> {
  const values = revisionFormValues(revision);
  const owner = values.organisationId.trim() ? Number(values.organisationId) : null;
  const checked = checkEventForm(values, {
    municipi: [Number(values.municipioId)],
    organisations: owner === null ? [] : [owner],
  });
  if (!checked.ok) return { ok: false, error: 'conflict' };
  const input = checked.value;
  if (!canModerateEvent(actor, { ...current, municipioId: input.municipioId, ownerOrganisationId: owner }))
    return { ok: false, error: 'forbidden' };
  const done = await runInTransaction(db, async (trx) => {
    const taken = await trx
      .deleteFrom('event_revision')
      .where('event_id', '=', current.id)
      .where('submitted_at', '=', revision.submittedAt)
      .returning('event_id')
      .executeTakeFirst();
    if (!taken) return false;
    const row = await trx
      .updateTable('event')
      .set({ ...contentColumns(input), owner_organisation_id: owner, review_note: null, updated_at: now })
      .where('event.id', '=', current.id)
      .where('event.status', '=', 'published')
      .where(sameScope(current))
      // Families may have signed up since the change was proposed: the revision stays, unapproved.
      .where(seatsFit(input.seats))
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new ChangeWithdrawn();
    await moveOwner(trx, current.id, current.ownerOrganisationId, owner);
    // A new start: the families signed up are told, and their reminders follow it.
    if (input.startsAt.getTime() !== current.startsAt.getTime()) await noticeDateMoved(trx, current.id, now);
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'event.approve_change',
      subject: `event:${current.slug}`,
      detail: { id: current.id },
    });
    return true;
  }).catch((error: unknown) => {
    if (error instanceof ChangeWithdrawn) return false;
    throw error;
  });
  if (!done)
    return {
      ok: false,
      error: (await seatsBelowTaken(db, current.id, input.seats)) ? 'seats_below_taken' : 'conflict',
    };
  return {
    ok: true,
    event: (await getEventForStaff(db, current.id))!,
    cacheTags: publicEventTags(current.slug),
    backToReview: false,
  };
}

/** Thrown to roll back an approval whose event moved on after its revision was taken. */
class ChangeWithdrawn extends Error {}

interface TransitionSpec {
  allowed: (actor: Actor, e: StaffEvent) => boolean;
  from: EventStatus[];
  to: EventStatus;
  set?: (now: Date) => { review_note?: string | null; submitted_at?: Date };
  audit?: { action: string; detail?: Record<string, unknown> };
  public: boolean;
  /** More writes in the same transaction (a notice, a waiting change dropped). */
  after?: (trx: Db, e: StaffEvent) => Promise<unknown>;
}

async function transition(db: Db, actor: Actor, id: number, spec: TransitionSpec, now: Date): Promise<EventChange> {
  const current = await getEventForStaff(db, id);
  if (!current) return { ok: false, error: 'not_found' };
  if (!spec.allowed(actor, current)) return { ok: false, error: 'forbidden' };
  const done = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('event')
      .set({ status: spec.to, updated_at: now, ...spec.set?.(now) })
      .where('event.id', '=', id)
      .where('event.status', 'in', spec.from)
      .where(sameScope(current))
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    // Published (again, perhaps with more seats): seats free now go to the waiting list (issue #13).
    if (spec.to === 'published') await offerEventSeats(trx, id, now);
    if (spec.audit)
      await writeAudit(trx, {
        actorUserId: actor.id,
        action: spec.audit.action,
        subject: `event:${current.slug}`,
        detail: { id, from: current.status, ...spec.audit.detail },
      });
    await spec.after?.(trx, current);
    return true;
  });
  if (!done) return { ok: false, error: 'conflict' };
  return {
    ok: true,
    event: (await getEventForStaff(db, id))!,
    cacheTags: spec.public ? publicEventTags(current.slug) : [],
    backToReview: false,
  };
}

/** draft → submitted, by whoever may edit the event. */
export function submitEvent(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<EventChange> {
  return transition(
    db,
    actor,
    id,
    {
      allowed: canEditEvent,
      from: ['draft'],
      to: 'submitted',
      set: (at) => ({ submitted_at: at }),
      public: false,
      after: (trx, e) => notifyReviewers(trx, e.municipioId, { eventId: e.id, title: e.title.it, change: false }),
    },
    now,
  );
}

/**
 * submitted → published, by a moderator (coordinator of the municipio, admin); on a published event
 * with a change waiting, the change approved.
 */
export async function publishEvent(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<EventChange> {
  const current = await getEventForStaff(db, id);
  if (current?.status === 'published') {
    if (!canModerateEvent(actor, current)) return { ok: false, error: 'forbidden' };
    const revision = await getPendingRevision(db, id);
    if (!revision) return { ok: false, error: 'conflict' };
    return approveChange(db, actor, current, revision, now);
  }
  return transition(
    db,
    actor,
    id,
    {
      allowed: canModerateEvent,
      from: ['submitted'],
      to: 'published',
      set: () => ({ review_note: null }),
      audit: { action: 'event.publish' },
      public: true,
    },
    now,
  );
}

/** submitted → draft with the moderator's reason, shown to the partner. */
export async function sendBackEvent(
  db: Db,
  actor: Actor,
  id: number,
  note: unknown,
  now: Date = new Date(),
): Promise<EventChange | { ok: false; error: 'invalid'; message: string }> {
  const current = await getEventForStaff(db, id);
  if (!current) return { ok: false, error: 'not_found' };
  if (!canModerateEvent(actor, current)) return { ok: false, error: 'forbidden' };
  const checked = checkReviewNote(note);
  if (!checked.ok) return { ok: false, error: 'invalid', message: checked.error };
  if (current.status === 'published') return sendBackChange(db, actor, current, checked.value);
  return transition(
    db,
    actor,
    id,
    {
      allowed: canModerateEvent,
      from: ['submitted'],
      to: 'draft',
      set: () => ({ review_note: checked.value }),
      audit: { action: 'event.send_back', detail: { note: checked.value } },
      public: false,
    },
    now,
  );
}

/** A waiting change refused: dropped, with the reason for its author; the published event stays as it is. */
async function sendBackChange(db: Db, actor: Actor, current: StaffEvent, note: string): Promise<EventChange> {
  const done = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('event')
      .set({ review_note: note })
      .where('event.id', '=', current.id)
      .where('event.status', '=', 'published')
      .where(sameScope(current))
      .where((eb) => eb.exists(eb.selectFrom('event_revision').select('event_id').where('event_id', '=', current.id)))
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('event_revision').where('event_id', '=', current.id).execute();
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'event.send_back_change',
      subject: `event:${current.slug}`,
      detail: { id: current.id, note },
    });
    return true;
  });
  if (!done) return { ok: false, error: 'conflict' };
  return { ok: true, event: (await getEventForStaff(db, current.id))!, cacheTags: [], backToReview: false };
}

/**
 * published → cancelled: the event stays on the public pages, marked as cancelled; its families are
 * told (date-notices.ts).
 */
export function cancelEvent(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<EventChange> {
  return transition(
    db,
    actor,
    id,
    {
      allowed: (a, e) => canEditEvent(a, e) || canModerateEvent(a, e),
      from: ['published'],
      to: 'cancelled',
      audit: { action: 'event.cancel' },
      public: true,
      // A change waiting for review has nothing left to change; the families signed up are told.
      after: async (trx, e) => {
        await trx.deleteFrom('event_revision').where('event_id', '=', e.id).execute();
        await noticeDatesCancelled(trx, [e.id], now);
      },
    },
    now,
  );
}
