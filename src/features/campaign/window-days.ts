// Which collection windows take pledges (issue #15): not cancelled, not on an Italian public
// holiday (the desks are closed: src/lib/holidays.ts) and not on a day its desk is closed
// (desk_closure; a drop-off point is the desk of the same slug). One SQL condition, used by the
// statements that insert a pledge (so the database decides, inside the writing statement) and by
// the reads that offer windows. Holidays are passed in as dates: the calendar is computed here.
import { sql, type RawBuilder } from 'kysely';
import { dayKey, holidaysOf, isHoliday } from '#/lib/holidays.ts';
import { romeParts } from '#/lib/time.ts';

/** The Rome calendar day "YYYY-MM-DD" of an instant. */
export function romeDayOf(at: Date): string {
  const p = romeParts(at);
  return dayKey(p.year, p.month, p.day);
}

/** The public holidays from `from`'s year to two years on: every window a form can offer is within. */
export function holidaysAround(from: Date): string[] {
  const year = romeParts(from).year;
  return [year - 1, year, year + 1, year + 2].flatMap((y) => [...holidaysOf(y)]).sort();
}

/**
 * True in SQL when the window (alias `cw`, its drop-off point `p`) takes pledges on its day.
 * The caller still checks it has not ended.
 */
export function windowTakesPledges(now: Date, cw = 'cw', p = 'p'): RawBuilder<boolean> {
  const day = sql`(${sql.ref(`${cw}.starts_at`)} AT TIME ZONE 'Europe/Rome')::date`;
  return sql<boolean>`(${sql.ref(`${cw}.cancelled_at`)} IS NULL
    AND NOT (${day} = ANY (${holidaysAround(now)}::date[]))
    AND NOT EXISTS (SELECT 1 FROM desk d JOIN desk_closure dc ON dc.desk_id = d.id
                     WHERE d.slug = ${sql.ref(`${p}.slug`)} AND dc.day = ${day}))`;
}

/** Why a window cannot be on a day: a public holiday, or its desk closed that day; undefined when it can. */
export type ClosedDay = 'holiday' | 'desk_closed' | undefined;

export { isHoliday };
