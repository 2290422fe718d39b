// Recurring activities in the staff area (issue #13): a new series from the event form and its rule,
// the series as staff see it (its dates, each with its live sign-ups), and the whole series sent for
// review or published at once. Who may do what is the events' own `can`, asked of the series' dates:
// every date shares the municipio and the owner its series was created with.
import { partiesOfEvent } from './event-seats.ts';
import type { Db, EventStatus } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { slugify } from '#/lib/text.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import type { EventInput } from './event-form.ts';
import { contentColumns, freeSlug, ownerFor } from './event-workflow.ts';
import { createSeries } from './series.ts';
import { notifyReviewers } from './review-notice.ts';
import { ruleOfRow, type SeriesRule } from './series-rule.ts';
import { getEventForStaff, type StaffEvent } from './staff-events.ts';

/** A series' slug: the Italian title, short enough for "-YYYY-MM-DD" after it (event slugs ≤ 80). */
const seriesSlug = (db: Db, title: string) =>
  freeSlug(db, slugify(title).slice(0, 60).replace(/-+$/, '') || 'attivita', 'event_series');

/** A new series of drafts, one per date of the rule; refused when the actor may not create the event. */
export async function createStaffSeries(
  db: Db,
  actor: Actor,
  input: EventInput,
  rule: SeriesRule,
): Promise<{ ok: true; seriesId: number; dates: number } | { ok: false; error: 'forbidden' }> {
  const owner = ownerFor(actor, input);
  if (!can(actor, { kind: 'event.create', organisationId: owner, municipioId: input.municipioId }))
    return { ok: false, error: 'forbidden' };
  const { starts_at: _s, ends_at: _e, ...content } = contentColumns(input);
  const made = await createSeries(db, {
    slug: await seriesSlug(db, input.title.it),
    rule,
    // The event form names a venue, not a desk, so a staff series skips only the public holidays;
    // no desk's closure applies to it (closures are per desk; there is no network-wide one). A date
    // on a day its venue is shut is cancelled by hand (cancelSeriesDate).
    deskId: null,
    template: { ...content, status: 'draft', owner_organisation_id: owner },
    organisationIds: owner === null ? [] : [owner],
  });
  return { ok: true, seriesId: made.seriesId, dates: made.eventIds.length };
}

export interface StaffSeriesDate {
  id: number;
  slug: string;
  day: string;
  startsAt: Date;
  endsAt: Date | null;
  status: EventStatus;
  seats: number | null;
  /** Parties signed up, pending or confirmed: while there is one, the date is not cancelled or moved here. */
  parties: number;
}

export interface StaffSeries {
  id: number;
  slug: string;
  rule: SeriesRule;
  /** The next date not over (or the last one): what the list shows, and what `can` is asked of. */
  next: StaffEvent;
  dates: StaffSeriesDate[];
}

/** A series with every date, for its staff page; undefined when there is none. The caller asks `can` of `next`. */
export async function getSeriesForStaff(
  db: Db,
  seriesId: number,
  now: Date = new Date(),
): Promise<StaffSeries | undefined> {
  if (!Number.isSafeInteger(seriesId) || seriesId < 1 || seriesId > 2147483647) return undefined;
  const series = await db.selectFrom('event_series').selectAll().where('id', '=', seriesId).executeTakeFirst();
  if (!series) return undefined;
  const rows = await db
    .selectFrom('event')
    .select(['id', 'slug', 'occurrence_date', 'starts_at', 'ends_at', 'status', 'seats'])
    .select(partiesOfEvent)
    .where('series_id', '=', seriesId)
    .orderBy('starts_at')
    .execute();
  if (rows.length === 0) return undefined;
  const dates = rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    day: r.occurrence_date!,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status,
    seats: r.seats,
    parties: Number(r.parties ?? 0),
  }));
  const next = dates.find((d) => (d.endsAt ?? d.startsAt) >= now) ?? dates.at(-1)!;
  const event = await getEventForStaff(db, next.id);
  return event && { id: series.id, slug: series.slug, rule: ruleOfRow(series), next: event, dates };
}

export type SeriesStatusChange = 'submitted' | 'published';

/**
 * Sends every coming draft of the series for review (who may edit it), or publishes every coming
 * draft and submitted date (who may moderate it), in one statement. Returns the slugs changed, sorted.
 */
export async function changeSeriesStatus(
  db: Db,
  actor: Actor,
  series: StaffSeries,
  to: SeriesStatusChange,
  now: Date = new Date(),
): Promise<{ ok: true; slugs: string[] } | { ok: false; error: 'forbidden' }> {
  const scope = { ownerOrganisationId: series.next.ownerOrganisationId, municipioId: series.next.municipioId };
  const allowed =
    to === 'submitted'
      ? can(actor, { kind: 'event.edit', event: scope })
      : can(actor, { kind: 'event.moderate', event: scope });
  if (!allowed) return { ok: false, error: 'forbidden' };
  const from: EventStatus[] = to === 'submitted' ? ['draft'] : ['draft', 'submitted'];
  const rows = await runInTransaction(db, async (trx) => {
    const changed = await trx
      .updateTable('event')
      .set({
        status: to,
        updated_at: now,
        ...(to === 'submitted' ? { submitted_at: now } : { review_note: null }),
      })
      .where('series_id', '=', series.id)
      .where('status', 'in', from)
      .where('starts_at', '>', now)
      // The scope `can` was asked about, pinned in the write (as the single-event workflow does).
      .where('municipio_id', 'is not distinct from', scope.municipioId)
      .where('owner_organisation_id', 'is not distinct from', scope.ownerOrganisationId)
      .returning('slug')
      .execute();
    // The municipio's coordinators hear of it once, as for one event sent for review.
    if (to === 'submitted' && changed.length > 0)
      await notifyReviewers(trx, scope.municipioId, {
        eventId: series.next.id,
        title: series.next.title.it,
        change: false,
      });
    if (changed.length > 0)
      await writeAudit(trx, {
        actorUserId: actor.id,
        action: to === 'submitted' ? 'series.submit' : 'series.publish',
        subject: `series:${series.slug}`,
        detail: { id: series.id, dates: changed.length },
      });
    return changed;
  });
  // UPDATE … RETURNING gives rows in whatever order the plan met them: sorted, the answer is the same each time.
  return { ok: true, slugs: rows.map((r) => r.slug).sort() };
}
