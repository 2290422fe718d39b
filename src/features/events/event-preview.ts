// What the public page of an event would show, for the staff preview (issue #15): the event as
// stored, or with its waiting change applied when it has one. Nothing is written; the organisers
// are the event's own (a change of owner shows its new name first).
import type { Db } from '#/server/db/database.ts';
import { checkEventForm } from './event-form.ts';
import type { PublicEvent } from './events.ts';
import { revisionFormValues, type PendingRevision } from './event-revisions.ts';
import type { StaffEvent } from './staff-events.ts';

export async function previewEvent(db: Db, event: StaffEvent, revision?: PendingRevision): Promise<PublicEvent> {
  const organisers = (
    await db
      .selectFrom('event_organiser')
      .innerJoin('organisation', 'organisation.id', 'event_organiser.organisation_id')
      .select('organisation.name')
      .where('event_organiser.event_id', '=', event.id)
      .orderBy('organisation.name')
      .execute()
  ).map((o) => o.name);
  const base: PublicEvent = {
    id: event.id,
    slug: event.slug,
    municipioId: event.municipioId,
    title: event.title,
    summary: event.summary,
    description: event.description,
    venue: event.venue,
    address: event.address,
    transitHint: event.transitHint,
    priceNote: event.priceNote,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    status: event.status === 'cancelled' ? 'cancelled' : 'published',
    updatedAt: event.updatedAt,
    organisers,
    seats: null,
    // A date of a series is previewed as that date; its rule is not shown in a preview.
    seriesId: null,
    occurrenceDate: event.occurrenceDate,
    seriesRule: null,
    stops: event.stops,
    facts: event.facts,
  };
  if (!revision) return base;
  const values = revisionFormValues(revision);
  const owner = values.organisationId.trim() ? Number(values.organisationId) : null;
  const checked = checkEventForm(values, {
    municipi: [Number(values.municipioId)],
    organisations: owner === null ? [] : [owner],
  });
  if (!checked.ok) return base;
  const v = checked.value;
  let names = organisers;
  if (owner !== null && owner !== event.ownerOrganisationId) {
    const row = await db.selectFrom('organisation').select('name').where('id', '=', owner).executeTakeFirst();
    names = row ? [row.name, ...organisers.filter((n) => n !== event.ownerName)] : organisers;
  }
  return {
    ...base,
    municipioId: v.municipioId,
    title: v.title,
    summary: v.summary,
    description: v.description,
    venue: v.venue,
    address: v.address,
    transitHint: v.transitHint,
    priceNote: v.priceNote,
    startsAt: v.startsAt,
    endsAt: v.endsAt,
    organisers: names,
    stops: v.stops,
    facts: v.facts,
  };
}
