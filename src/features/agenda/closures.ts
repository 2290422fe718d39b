// A desk's closures (a day it does not open) and extra openings (hours on a day it otherwise would
// not have). Each statement is scoped to the desk id the caller authorized (`desk.settings`), so
// another desk's closure or opening id is `not_found`. Messages are locale keys `staff.desk.error.*`.
import type { Db } from '#/server/db/database.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { addDays } from '#/features/booking/slots.ts';
import { isHoliday } from '#/features/booking/holidays.ts';
import { CONTROL_CHARACTER } from '#/lib/validation.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';
import { confirmedOnDay } from './agenda-queries.ts';
import { normalizeTime, overlaps } from './weekly-hours.ts';
import { closeSeriesDates, type SeriesDatesClosed } from '#/features/events/series-closures.ts';

export interface Closure {
  id: number;
  day: string;
  reason: string | null;
}
export interface ExtraOpening {
  id: number;
  day: string;
  opens: string;
  closes: string;
}

/** Closures and extra openings from `fromDay` on (the settings page shows today's and later ones). */
export async function listDeskExceptions(
  db: Db,
  deskId: number,
  fromDay: string,
): Promise<{ closures: Closure[]; extraOpenings: ExtraOpening[] }> {
  const [closures, extra] = await Promise.all([
    db
      .selectFrom('desk_closure')
      .select(['id', 'day', 'reason'])
      .where('desk_id', '=', deskId)
      .where('day', '>=', fromDay)
      .orderBy('day')
      .execute(),
    db
      .selectFrom('desk_extra_opening')
      .select(['id', 'day', 'opens', 'closes'])
      .where('desk_id', '=', deskId)
      .where('day', '>=', fromDay)
      .orderBy('day')
      .orderBy('opens')
      .execute(),
  ]);
  return {
    closures,
    extraOpenings: extra.map((e) => ({
      id: e.id,
      day: e.day,
      opens: e.opens.slice(0, 5),
      closes: e.closes.slice(0, 5),
    })),
  };
}

/** How far ahead closures and extra openings may be set: two years (checked by checkFutureDay, also for close-day.ts). */
const EXCEPTION_HORIZON_DAYS = 731;

export function checkFutureDay(value: string, now: Date): { day?: string; error?: string } {
  const day = value.trim();
  if (!day) return { error: 'staff.desk.error.dayMissing' };
  if (!parseDateOnly(day)) return { error: 'staff.desk.error.dayInvalid' };
  const today = romeDateString(now);
  if (day < today) return { error: 'staff.desk.error.dayPast' };
  if (day > addDays(today, EXCEPTION_HORIZON_DAYS)) return { error: 'staff.desk.error.dayTooFar' };
  return { day };
}

export const CLOSURE_REASON_MAX = 200;

export type ExceptionResult =
  | { ok: true; bookingsOnDay: number; series?: SeriesDatesClosed }
  | { ok: false; errors: Record<string, string> }
  | { ok: false; reason: 'not_found' };

/**
 * Closes the desk on a day (today or later). Bookings already made for that day are kept (the page
 * tells how many, so the operator can call the families and cancel them in the agenda); the coming
 * dates of the desk's recurring activities that day are cancelled (series-closures.ts, the page
 * tells how many and how many parties were signed up). Errors by form field: `closureDay`,
 * `closureReason`.
 */
export async function addClosure(
  db: Db,
  deskId: number,
  input: { day: string; reason: string },
  options: { actorUserId: number; now?: Date },
): Promise<ExceptionResult> {
  const now = options.now ?? new Date();
  const errors: Record<string, string> = {};
  const { day, error } = checkFutureDay(input.day, now);
  if (error) errors.closureDay = error;
  const reason = input.reason.trim().replace(/\s+/g, ' ');
  if (reason.length > CLOSURE_REASON_MAX) errors.closureReason = 'staff.desk.error.reasonTooLong';
  else if (CONTROL_CHARACTER.test(reason)) errors.closureReason = 'staff.desk.error.reasonInvalid';
  if (!day || Object.keys(errors).length > 0) return { ok: false, errors };
  const inserted = await runInTransaction(db, async (trx) => {
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).executeTakeFirst();
    if (!desk) return 'not_found' as const;
    const row = await trx
      .insertInto('desk_closure')
      .values({ desk_id: deskId, day, reason: reason || null })
      .onConflict((oc) => oc.columns(['desk_id', 'day']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return 'exists' as const;
    // The desk's activities that day are not held either: cancelled in this same transaction.
    const series = await closeSeriesDates(trx, deskId, day, null, now);
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.closure_added',
      subject: `desk:${deskId}`,
      detail: { day, seriesDatesCancelled: series.cancelled },
    });
    return series;
  });
  if (inserted === 'not_found') return { ok: false, reason: 'not_found' };
  if (inserted === 'exists') return { ok: false, errors: { closureDay: 'staff.desk.error.closureExists' } };
  return { ok: true, bookingsOnDay: await confirmedOnDay(db, deskId, day), series: inserted };
}

/**
 * Removes a closure. A closure of part of a day (close-day.ts) had turned the rest of that day's
 * weekly hours into extra openings: those go with it (the weekly hours apply again), so the day's
 * slots are not offered twice.
 */
export async function removeClosure(
  db: Db,
  deskId: number,
  closureId: number,
  options: { actorUserId: number },
): Promise<{ ok: true; day: string } | { ok: false; reason: 'not_found' }> {
  if (!Number.isSafeInteger(closureId) || closureId <= 0) return { ok: false, reason: 'not_found' };
  const removed = await runInTransaction(db, async (trx) => {
    const row = await trx
      .deleteFrom('desk_closure')
      .where('id', '=', closureId)
      .where('desk_id', '=', deskId)
      .returning(['day', 'closed_from'])
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.closed_from !== null && !isHoliday(row.day)) await dropHoursLeftOpen(trx, deskId, row.day);
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.closure_removed',
      subject: `desk:${deskId}`,
      detail: { day: row.day },
    });
    return row;
  });
  if (!removed) return { ok: false, reason: 'not_found' };
  return { ok: true, day: removed.day };
}

/** The day's extra openings that lie in its weekly hours (what a part-day closure left open). */
async function dropHoursLeftOpen(trx: Db, deskId: number, day: string): Promise<void> {
  const d = parseDateOnly(day)!;
  const weekday = ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
  const [weekly, extra] = await Promise.all([
    trx
      .selectFrom('desk_opening_hours')
      .select(['opens', 'closes'])
      .where('desk_id', '=', deskId)
      .where('weekday', '=', weekday)
      .execute(),
    trx
      .selectFrom('desk_extra_opening')
      .select(['id', 'opens', 'closes'])
      .where('desk_id', '=', deskId)
      .where('day', '=', day)
      .execute(),
  ]);
  const short = (h: { opens: string; closes: string }) => ({
    opens: h.opens.slice(0, 5),
    closes: h.closes.slice(0, 5),
  });
  const inHours = extra.filter((e) =>
    weekly.some((h) => short(h).opens <= short(e).opens && short(e).closes <= short(h).closes),
  );
  if (inHours.length > 0)
    await trx
      .deleteFrom('desk_extra_opening')
      .where(
        'id',
        'in',
        inHours.map((e) => e.id),
      )
      .execute();
}

/**
 * Opens the desk on a day at extra hours (today or later; public holidays and closures too: that is
 * what an extra opening is for). Errors by form field: `extraDay`, `extraOpens`, `extraCloses`. The
 * hours must not overlap another extra opening of that day, nor the weekly hours of an ordinary
 * open day.
 */
export async function addExtraOpening(
  db: Db,
  deskId: number,
  input: { day: string; opens: string; closes: string },
  options: { actorUserId: number; now?: Date },
): Promise<ExceptionResult> {
  const now = options.now ?? new Date();
  const errors: Record<string, string> = {};
  const { day, error } = checkFutureDay(input.day, now);
  if (error) errors.extraDay = error;
  const opens = input.opens.trim() ? normalizeTime(input.opens) : undefined;
  const closes = input.closes.trim() ? normalizeTime(input.closes) : undefined;
  if (!input.opens.trim()) errors.extraOpens = 'staff.desk.error.opensMissing';
  else if (!opens) errors.extraOpens = 'staff.desk.error.timeInvalid';
  if (!input.closes.trim()) errors.extraCloses = 'staff.desk.error.closesMissing';
  else if (!closes) errors.extraCloses = 'staff.desk.error.timeInvalid';
  else if (opens && opens >= closes) errors.extraCloses = 'staff.desk.error.closesBeforeOpens';
  if (!day || !opens || !closes || Object.keys(errors).length > 0) return { ok: false, errors };
  const interval = { opens, closes };
  const outcome = await runInTransaction(db, async (trx) => {
    // The desk row's lock serializes two extra openings added at once, so the overlap check holds.
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).forUpdate().executeTakeFirst();
    if (!desk) return 'not_found' as const;
    const [sameDay, closed, weekly] = await Promise.all([
      trx
        .selectFrom('desk_extra_opening')
        .select(['opens', 'closes'])
        .where('desk_id', '=', deskId)
        .where('day', '=', day)
        .execute(),
      trx
        .selectFrom('desk_closure')
        .select('id')
        .where('desk_id', '=', deskId)
        .where('day', '=', day)
        .executeTakeFirst(),
      trx
        .selectFrom('desk_opening_hours')
        .select(['weekday', 'opens', 'closes'])
        .where('desk_id', '=', deskId)
        .execute(),
    ]);
    if (sameDay.some((e) => overlaps({ opens: e.opens.slice(0, 5), closes: e.closes.slice(0, 5) }, interval)))
      return 'overlapsExtra' as const;
    const d = parseDateOnly(day)!;
    const weekday = ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
    const ordinaryDay = !closed && !isHoliday(day);
    if (
      ordinaryDay &&
      weekly.some(
        (h) =>
          h.weekday === weekday && overlaps({ opens: h.opens.slice(0, 5), closes: h.closes.slice(0, 5) }, interval),
      )
    )
      return 'overlapsHours' as const;
    await trx.insertInto('desk_extra_opening').values({ desk_id: deskId, day, opens, closes }).execute();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.extra_opening_added',
      subject: `desk:${deskId}`,
      detail: { day, opens, closes },
    });
    return 'ok' as const;
  });
  if (outcome === 'not_found') return { ok: false, reason: 'not_found' };
  if (outcome === 'overlapsExtra') return { ok: false, errors: { extraOpens: 'staff.desk.error.extraOverlap' } };
  if (outcome === 'overlapsHours') return { ok: false, errors: { extraOpens: 'staff.desk.error.extraOverlapsHours' } };
  return { ok: true, bookingsOnDay: await confirmedOnDay(db, deskId, day) };
}

/** Removes an extra opening; bookings already made in it are kept (the result counts those of that day). */
export async function removeExtraOpening(
  db: Db,
  deskId: number,
  openingId: number,
  options: { actorUserId: number },
): Promise<{ ok: true; day: string; bookingsOnDay: number } | { ok: false; reason: 'not_found' }> {
  if (!Number.isSafeInteger(openingId) || openingId <= 0) return { ok: false, reason: 'not_found' };
  const removed = await db
    .deleteFrom('desk_extra_opening')
    .where('id', '=', openingId)
    .where('desk_id', '=', deskId)
    .returning(['day', 'opens', 'closes'])
    .executeTakeFirst();
  if (!removed) return { ok: false, reason: 'not_found' };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'desk.extra_opening_removed',
    subject: `desk:${deskId}`,
    detail: { day: removed.day, opens: removed.opens.slice(0, 5), closes: removed.closes.slice(0, 5) },
  });
  return { ok: true, day: removed.day, bookingsOnDay: await confirmedOnDay(db, deskId, removed.day) };
}

export interface PublicClosure {
  day: string;
  /** 'HH:MM' when the desk is closed for part of the day only. */
  from: string | null;
  until: string | null;
}

/**
 * The closures of a desk from `fromDay` for `days` days, for the public page ("closed on…"): the
 * day and the part of it, never the reason (that is for the staff).
 */
export async function upcomingClosures(db: Db, deskId: number, fromDay: string, days = 30): Promise<PublicClosure[]> {
  const rows = await db
    .selectFrom('desk_closure')
    .select(['day', 'closed_from', 'closed_until'])
    .where('desk_id', '=', deskId)
    .where('day', '>=', fromDay)
    .where('day', '<=', addDays(fromDay, days))
    .orderBy('day')
    .execute();
  return rows.map((r) => ({
    day: r.day,
    from: r.closed_from?.slice(0, 5) ?? null,
    until: r.closed_until?.slice(0, 5) ?? null,
  }));
}
