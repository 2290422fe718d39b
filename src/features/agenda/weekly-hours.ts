// A desk's weekly opening hours: read from the form's grid of intervals, checked, and replaced as a
// whole. Messages are locale keys `staff.desk.error.*`.
import type { Db } from '#/server/db/database.ts';
import type { OpeningHours } from '#/features/desks/desks.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export interface HoursRow {
  weekday: number; // ISO 1 = Monday … 7 = Sunday
  opens: string; // "HH:MM"
  closes: string;
}

/**
 * The intervals the weekly hours form shows, one key per interval (`opens-<key>`, `closes-<key>`):
 * each day at least two, one more than the busiest day has (six at most).
 */
export function hourKeysFor(hours: readonly OpeningHours[]): { key: string; weekday: number }[] {
  const perDay = (w: number) => hours.filter((h) => h.weekday === w).length;
  const intervals = Math.min(6, Math.max(2, ...WEEKDAYS.map((w) => perDay(w) + 1)));
  return WEEKDAYS.flatMap((w) => Array.from({ length: intervals }, (_, i) => ({ key: `${w}-${i}`, weekday: w })));
}

/** The hours as the form shows them: `<weekday>-<n>` → the n-th interval of that day. */
export function hoursFormValues(hours: readonly OpeningHours[]): Record<string, { opens: string; closes: string }> {
  return Object.fromEntries(
    WEEKDAYS.flatMap((w) =>
      hours.filter((h) => h.weekday === w).map((h, i) => [`${w}-${i}`, { opens: h.opens, closes: h.closes }]),
    ),
  );
}

/** One interval as the form sends it; `key` names its fields (`opens-<key>`, `closes-<key>`). */
export interface HoursInput {
  key: string;
  weekday: number;
  opens: string;
  closes: string;
}

/** "9:30", "09:30" or "09:30:00" → "09:30"; undefined if it is not a time of day. */
export function normalizeTime(value: string): string | undefined {
  const m = /^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::00)?$/.exec(value.trim());
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : undefined;
}

export const overlaps = (a: { opens: string; closes: string }, b: { opens: string; closes: string }) =>
  a.opens < b.closes && b.opens < a.closes;

/**
 * The weekly hours as typed: an interval with both times empty is left out (that is how a row is
 * removed); otherwise both times are needed, opening before closing, and the intervals of one day
 * must not overlap (one may end when the next starts). Errors by field name.
 */
export function checkWeeklyHours(
  input: readonly HoursInput[],
): { ok: true; value: HoursRow[] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rows: (HoursRow & { key: string })[] = [];
  for (const row of input) {
    const opensText = row.opens.trim();
    const closesText = row.closes.trim();
    if (!opensText && !closesText) continue;
    if (!Number.isInteger(row.weekday) || row.weekday < 1 || row.weekday > 7) {
      errors[`opens-${row.key}`] = 'staff.desk.error.weekdayInvalid';
      continue;
    }
    const opens = opensText ? normalizeTime(opensText) : undefined;
    const closes = closesText ? normalizeTime(closesText) : undefined;
    if (!opensText) errors[`opens-${row.key}`] = 'staff.desk.error.opensMissing';
    else if (!opens) errors[`opens-${row.key}`] = 'staff.desk.error.timeInvalid';
    if (!closesText) errors[`closes-${row.key}`] = 'staff.desk.error.closesMissing';
    else if (!closes) errors[`closes-${row.key}`] = 'staff.desk.error.timeInvalid';
    if (!opens || !closes) continue;
    if (opens >= closes) {
      errors[`closes-${row.key}`] = 'staff.desk.error.closesBeforeOpens';
      continue;
    }
    const clash = rows.find((r) => r.weekday === row.weekday && overlaps(r, { opens, closes }));
    if (clash) {
      errors[`opens-${row.key}`] = 'staff.desk.error.overlap';
      continue;
    }
    rows.push({ key: row.key, weekday: row.weekday, opens, closes });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: rows
      .map(({ weekday, opens, closes }) => ({ weekday, opens, closes }))
      .sort((a, b) => a.weekday - b.weekday || a.opens.localeCompare(b.opens)),
  };
}

/**
 * Replaces the desk's weekly hours in one transaction (checked again here). Appointments already
 * booked outside the new hours are kept and stay in the agenda.
 */
export async function replaceWeeklyHours(
  db: Db,
  deskId: number,
  hours: readonly HoursRow[],
  options: { actorUserId: number },
): Promise<{ ok: true } | { ok: false; reason: 'not_found' }> {
  const checked = checkWeeklyHours(hours.map((h, i) => ({ key: String(i), ...h })));
  if (!checked.ok) throw new RangeError(`invalid weekly hours: ${JSON.stringify(checked.errors)}`);
  return runInTransaction(db, async (trx) => {
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).forUpdate().executeTakeFirst();
    if (!desk) return { ok: false, reason: 'not_found' } as const;
    await trx.deleteFrom('desk_opening_hours').where('desk_id', '=', deskId).execute();
    if (checked.value.length > 0)
      await trx
        .insertInto('desk_opening_hours')
        .values(checked.value.map((h) => ({ desk_id: deskId, ...h })))
        .execute();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.hours_replaced',
      subject: `desk:${deskId}`,
      detail: { hours: checked.value },
    });
    return { ok: true } as const;
  });
}
