// Recurring activities (issue #13), write side. A series is saved with every date of its life (at
// most a year, a CHECK on event_series) written as its own event row, so each date has its own
// seats, sign-ups and door list and nothing has to run later to "generate ahead". Dates that fall
// on an Italian public holiday or on a closure of the series' desk are not written; a closure added
// later cancels the coming dates it covers (series-closures.ts).
//
// Exceptions: one date cancelled or moved. A date with families signed up may be cancelled or moved
// too: in the same transaction they are told (date-notices.ts), their reminders withdrawn or moved
// with the new start, pending holds released and the date's waiting list closed (on a cancellation).
import { sql } from 'kysely';
import type { Db, EventTable } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import type { Insertable } from 'kysely';
import { datedTimes, plannedDates, ruleOfRow, type SeriesRule } from './series-rule.ts';
import { closureCovers, partOfRow } from './series-closures.ts';
import { noticeDateMoved, noticeDatesCancelled } from './date-notices.ts';

/** The content every date of a series shares: an event row without its slug, times and series. */
export type SeriesTemplate = Omit<
  Insertable<EventTable>,
  'slug' | 'starts_at' | 'ends_at' | 'series_id' | 'occurrence_date' | 'seats_taken' | 'walk_ins'
>;

export interface NewSeries {
  slug: string;
  rule: SeriesRule;
  deskId: number | null;
  timesAreSample?: boolean;
  template: SeriesTemplate;
  organisationIds: number[];
}

export type SeriesDateError = 'not_found' | 'bad_date';

/**
 * The days between two days on which the desk is closed at the series' times, as "YYYY-MM-DD": a
 * whole-day closure, or a part of the day that overlaps them (series-closures.ts). No desk: none.
 */
export async function deskClosures(
  db: Db,
  deskId: number | null,
  from: string,
  until: string,
  times: Pick<SeriesRule, 'startsTime' | 'endsTime'>,
): Promise<Set<string>> {
  if (deskId === null) return new Set();
  const rows = await db
    .selectFrom('desk_closure')
    .select(['day', 'closed_from', 'closed_until'])
    .where('desk_id', '=', deskId)
    .where('day', '>=', from)
    .where('day', '<=', until)
    .execute();
  return new Set(
    rows
      .filter((r) => {
        const at = datedTimes(times, r.day);
        return closureCovers(r.day, partOfRow(r), at.startsAt, at.endsAt);
      })
      .map((r) => r.day),
  );
}

/** Slug of one date: the series' slug and the day, e.g. spazio-mamma-bambino-2026-12-01. */
export const occurrenceSlug = (seriesSlug: string, day: string) => `${seriesSlug}-${day}`;

/** Saves a series and writes its dates; returns the series id and the event ids, in date order. */
export async function createSeries(db: Db, input: NewSeries): Promise<{ seriesId: number; eventIds: number[] }> {
  return runInTransaction(db, async (trx) => {
    const { rule } = input;
    const series = await trx
      .insertInto('event_series')
      .values({
        slug: input.slug,
        frequency: rule.frequency,
        weekday: rule.weekday,
        week_of_month: rule.frequency === 'monthly' ? rule.weekOfMonth : null,
        first_day: rule.firstDay,
        until_day: rule.untilDay,
        starts_time: rule.startsTime,
        ends_time: rule.endsTime,
        desk_id: input.deskId,
        times_are_sample: input.timesAreSample ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const eventIds = await writeMissingDates(trx, series.id, input.slug, rule, input.deskId, input.template);
    if (input.organisationIds.length > 0 && eventIds.length > 0)
      await trx
        .insertInto('event_organiser')
        .values(eventIds.flatMap((id) => input.organisationIds.map((o) => ({ event_id: id, organisation_id: o }))))
        .execute();
    return { seriesId: series.id, eventIds };
  });
}

async function writeMissingDates(
  trx: Db,
  seriesId: number,
  seriesSlug: string,
  rule: SeriesRule,
  deskId: number | null,
  template: SeriesTemplate,
): Promise<number[]> {
  const closures = await deskClosures(trx, deskId, rule.firstDay, rule.untilDay, rule);
  const dates = plannedDates(rule, closures);
  if (dates.length === 0) return [];
  const rows = await trx
    .insertInto('event')
    .values(
      dates.map((d) => ({
        ...template,
        slug: occurrenceSlug(seriesSlug, d.day),
        starts_at: d.startsAt,
        ends_at: d.endsAt,
        series_id: seriesId,
        occurrence_date: d.day,
      })),
    )
    // A date already written (or moved, or cancelled) keeps its row and its sign-ups.
    .onConflict((oc) => oc.columns(['series_id', 'occurrence_date']).doNothing())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

async function seriesRule(db: Db, seriesId: number) {
  const s = await db.selectFrom('event_series').selectAll().where('id', '=', seriesId).executeTakeFirst();
  if (!s) return undefined;
  const rule = ruleOfRow(s);
  return { series: s, rule };
}

/** The row of one date, locked for the change. */
async function lockedDate(trx: Db, seriesId: number, day: string) {
  return trx
    .selectFrom('event')
    .select(['id', 'slug', 'status', 'starts_at'])
    .where('series_id', '=', seriesId)
    .where('occurrence_date', '=', day)
    .forUpdate()
    .executeTakeFirst();
}

/** Cancels one date of a series: it stays on its page, marked as cancelled, and leaves the ICS (EXDATE). */
export async function cancelSeriesDate(
  db: Db,
  seriesId: number,
  day: string,
  now: Date = new Date(),
): Promise<{ ok: true; slug: string } | { ok: false; error: SeriesDateError }> {
  return runInTransaction(db, async (trx) => {
    const row = await lockedDate(trx, seriesId, day);
    if (!row) return { ok: false, error: 'not_found' };
    await trx.updateTable('event').set({ status: 'cancelled', updated_at: now }).where('id', '=', row.id).execute();
    await noticeDatesCancelled(trx, [row.id], now);
    return { ok: true, slug: row.slug };
  });
}

/** Moves one date to another day (and optionally other times); its slug stays, so links keep working. */
export async function moveSeriesDate(
  db: Db,
  seriesId: number,
  day: string,
  to: { day: string; startsTime?: string; endsTime?: string | null },
  now: Date = new Date(),
): Promise<{ ok: true; slug: string } | { ok: false; error: SeriesDateError }> {
  return runInTransaction(db, async (trx) => {
    const found = await seriesRule(trx, seriesId);
    if (!found) return { ok: false, error: 'not_found' };
    const row = await lockedDate(trx, seriesId, day);
    if (!row) return { ok: false, error: 'not_found' };
    let times;
    try {
      times = datedTimes(
        {
          startsTime: to.startsTime ?? found.rule.startsTime,
          endsTime: to.endsTime === undefined ? found.rule.endsTime : to.endsTime,
        },
        to.day,
      );
    } catch {
      return { ok: false, error: 'bad_date' };
    }
    if (times.endsAt && times.endsAt <= times.startsAt) return { ok: false, error: 'bad_date' };
    await trx
      .updateTable('event')
      .set({ starts_at: times.startsAt, ends_at: times.endsAt, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    // Families signed up to a published date are told the new start; their reminders follow it.
    if (times.startsAt.getTime() !== row.starts_at.getTime()) await noticeDateMoved(trx, row.id, now);
    return { ok: true, slug: row.slug };
  });
}

/** What an edit of the whole series may change on its coming dates. */
export type SeriesChanges = Partial<
  Pick<
    SeriesTemplate,
    | 'title'
    | 'summary'
    | 'description'
    | 'venue'
    | 'address'
    | 'transit_hint'
    | 'price_note'
    | 'seats'
    | 'stops'
    | 'age_bands'
    | 'price_kind'
    | 'price_cents'
    | 'step_free'
    | 'lis'
    | 'childcare'
    | 'languages'
  >
>;

/**
 * Edits every coming date of a series (those not started by `now`); past dates keep what they were.
 * Each date keeps its row, so its sign-ups stay; seats never drop below the seats already taken.
 */
export async function editComingDates(db: Db, seriesId: number, changes: SeriesChanges, now: Date = new Date()) {
  const { seats, ...rest } = changes;
  return runInTransaction(db, async (trx) => {
    let update = trx.updateTable('event').set({ ...rest, updated_at: now });
    if (seats !== undefined)
      update = update.set({
        seats: seats === null ? null : sql<number>`greatest(${seats}::integer, seats_taken)`,
      });
    const result = await update
      .where('series_id', '=', seriesId)
      .where('starts_at', '>', now)
      .where('status', '<>', 'cancelled')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}

/**
 * After a change of the rule's last day: writes the dates now missing (from the latest date's
 * content), never one on a closure of the series' desk. A closure added later has already cancelled
 * the dates it covers, in its own transaction (series-closures.ts).
 */
export async function extendSeries(db: Db, seriesId: number, untilDay: string): Promise<number[]> {
  return runInTransaction(db, async (trx) => {
    const found = await seriesRule(trx, seriesId);
    if (!found) return [];
    await trx.updateTable('event_series').set({ until_day: untilDay }).where('id', '=', seriesId).execute();
    const latest = await trx
      .selectFrom('event')
      .selectAll()
      .where('series_id', '=', seriesId)
      .orderBy('occurrence_date', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!latest) return [];
    const {
      id: _id,
      slug: _slug,
      starts_at: _s,
      ends_at: _e,
      series_id: _sid,
      occurrence_date: _o,
      seats_taken: _t,
      walk_ins: _w,
      created_at: _c,
      title,
      summary,
      description,
      transit_hint,
      price_note,
      stops,
      ...plain
    } = latest;
    const template: SeriesTemplate = {
      ...plain,
      title: JSON.stringify(title),
      summary: JSON.stringify(summary),
      description: JSON.stringify(description),
      transit_hint: transit_hint === null ? null : JSON.stringify(transit_hint),
      price_note: price_note === null ? null : JSON.stringify(price_note),
      stops: JSON.stringify(stops),
    };
    const rule = { ...found.rule, untilDay };
    const ids = await writeMissingDates(trx, seriesId, found.series.slug, rule, found.series.desk_id, template);
    const organisers = await trx
      .selectFrom('event_organiser')
      .select('organisation_id')
      .where('event_id', '=', latest.id)
      .execute();
    if (ids.length > 0 && organisers.length > 0)
      await trx
        .insertInto('event_organiser')
        .values(ids.flatMap((id) => organisers.map((o) => ({ event_id: id, organisation_id: o.organisation_id }))))
        .execute();
    return ids;
  });
}
