// "Close this day" (illness, strike, flood): a desk closes a day, or part of it, and every family
// booked in it is cancelled and told in their language, in ONE transaction.
//
// The closure is a desk_closure row (the whole day closed for slot generation, as any closure); for
// part of a day the row also says which part, and the hours left open that day become extra
// openings of that day, so the slots outside the closed part stay bookable (slots.ts offers a closed
// day's extra openings only). Each booking in the closed part that has not started is cancelled by
// cancelBooking, the public cancellation path: its place freed, its reminder withdrawn, and the
// family's message queued in the outbox in their language, inside this transaction: email and/or
// SMS saying the desk closed that day, with a fresh link to the booking's page where they choose
// another time at the same desk or the desk's waiting list (displaced-families.ts). A family with no
// contact to write to is called by the desk (the agenda shows the phone). The coming dates of the
// desk's recurring activities in the closed part are cancelled in the same transaction
// (events/series-closures.ts). The audit log records the day, the part and the counts.
//
// Authorization is the caller's: `can(actor, {kind: 'desk.settings'})` on the desk, whose id is
// passed here.
import type { Db } from '#/server/db/database.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { cancelBooking } from '#/features/booking/manage-booking.ts';
import { isHoliday } from '#/features/booking/holidays.ts';
import { CONTROL_CHARACTER } from '#/lib/validation.ts';
import { parseDateOnly, romeToInstant } from '#/lib/time.ts';
import { addDays } from '#/features/booking/slots.ts';
import { CLOSURE_REASON_MAX, checkFutureDay } from './closures.ts';
import { startOfDay } from './agenda-queries.ts';
import { normalizeTime } from './weekly-hours.ts';
import { manageTokenFor } from '#/features/booking/booking-sms.ts';
import { closeSeriesDates, type SeriesDatesClosed } from '#/features/events/series-closures.ts';

export interface CloseDayInput {
  day: string;
  /** 'HH:MM', or '' with `until` '' too: the whole day. */
  from: string;
  until: string;
  reason: string;
}
export const CLOSE_DAY_FIELDS = ['day', 'from', 'until', 'reason'] as const;

export type CloseDayResult =
  | { ok: true; day: string; cancelled: number; series: SeriesDatesClosed }
  | { ok: false; errors: Partial<Record<(typeof CLOSE_DAY_FIELDS)[number], string>> }
  | { ok: false; reason: 'not_found' };

interface Interval {
  opens: string;
  closes: string;
}

/** What is left of `open` once `closed` is taken out of it (0, 1 or 2 intervals). */
export function subtractInterval(open: Interval, closed: Interval): Interval[] {
  if (closed.closes <= open.opens || closed.opens >= open.closes) return [open];
  return [
    ...(open.opens < closed.opens ? [{ opens: open.opens, closes: closed.opens }] : []),
    ...(closed.closes < open.closes ? [{ opens: closed.closes, closes: open.closes }] : []),
  ];
}

/** The form's values checked: the day, the part of it (none: the whole day), the reason. */
export function checkCloseDay(
  input: CloseDayInput,
  now: Date,
):
  | { ok: true; value: { day: string; part: Interval | null; reason: string } }
  | { ok: false; errors: Partial<Record<(typeof CLOSE_DAY_FIELDS)[number], string>> } {
  const errors: Partial<Record<(typeof CLOSE_DAY_FIELDS)[number], string>> = {};
  const { day, error } = checkFutureDay(input.day, now);
  if (error) errors.day = error;
  const fromText = input.from.trim();
  const untilText = input.until.trim();
  const from = fromText ? normalizeTime(fromText) : undefined;
  const until = untilText ? normalizeTime(untilText) : undefined;
  if (fromText || untilText) {
    if (!fromText) errors.from = 'staffDay.close.error.fromMissing';
    else if (!from) errors.from = 'staff.desk.error.timeInvalid';
    if (!untilText) errors.until = 'staffDay.close.error.untilMissing';
    else if (!until) errors.until = 'staff.desk.error.timeInvalid';
    else if (from && from >= until) errors.until = 'staff.desk.error.closesBeforeOpens';
  }
  const reason = input.reason.trim().replace(/\s+/g, ' ');
  if (reason.length > CLOSURE_REASON_MAX) errors.reason = 'staff.desk.error.reasonTooLong';
  else if (CONTROL_CHARACTER.test(reason)) errors.reason = 'staff.desk.error.reasonInvalid';
  if (!day || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { day, part: from && until ? { opens: from, closes: until } : null, reason } };
}

const isoWeekday = (day: string) => {
  const d = parseDateOnly(day)!;
  return ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
};
const instantOf = (day: string, time: string) => {
  const d = parseDateOnly(day)!;
  const [h, m] = time.split(':').map(Number);
  return romeToInstant(d.year, d.month, d.day, h!, m!);
};

/**
 * The desk's bookings in the closed part (the whole day when none) that hold a place and have not
 * started: confirmed ones and holds still waiting for their code.
 */
function bookingsClosedBy(db: Db, deskId: number, day: string, part: Interval | null, now: Date) {
  const start = part ? instantOf(day, part.opens) : startOfDay(day);
  const end = part ? instantOf(day, part.closes) : startOfDay(addDays(day, 1));
  return db
    .selectFrom('booking')
    .where('desk_id', '=', deskId)
    .where('starts_at', '>=', start)
    .where('starts_at', '<', end)
    .where('starts_at', '>', now)
    .where('erased_at', 'is', null)
    .where((eb) =>
      eb.or([eb('status', '=', 'confirmed'), eb.and([eb('status', '=', 'pending'), eb('hold_expires_at', '>', now)])]),
    );
}

/** Closes the day (or part of it) and cancels, with their messages, the bookings in it. */
export async function closeDay(
  db: Db,
  deskId: number,
  input: CloseDayInput,
  options: { actorUserId: number; now?: Date },
): Promise<CloseDayResult> {
  const now = options.now ?? new Date();
  const checked = checkCloseDay(input, now);
  if (!checked.ok) return checked;
  const { day, part, reason } = checked.value;
  const outcome = await runInTransaction(db, async (trx) => {
    // The desk row's lock serializes this with another closure, extra opening or hours change.
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).forUpdate().executeTakeFirst();
    if (!desk) return 'not_found' as const;
    const exists = await trx
      .selectFrom('desk_closure')
      .select('id')
      .where('desk_id', '=', deskId)
      .where('day', '=', day)
      .executeTakeFirst();
    if (exists) return 'exists' as const;
    if (part) {
      // The hours that day would have had, less the closed part, become that day's extra openings.
      const [weekly, extra] = await Promise.all([
        trx
          .selectFrom('desk_opening_hours')
          .select(['opens', 'closes'])
          .where('desk_id', '=', deskId)
          .where('weekday', '=', isoWeekday(day))
          .execute(),
        trx
          .selectFrom('desk_extra_opening')
          .select(['opens', 'closes'])
          .where('desk_id', '=', deskId)
          .where('day', '=', day)
          .execute(),
      ]);
      const open = [...(isHoliday(day) ? [] : weekly), ...extra].map((h) => ({
        opens: h.opens.slice(0, 5),
        closes: h.closes.slice(0, 5),
      }));
      const left = open.flatMap((h) => subtractInterval(h, part));
      await trx.deleteFrom('desk_extra_opening').where('desk_id', '=', deskId).where('day', '=', day).execute();
      if (left.length > 0)
        await trx
          .insertInto('desk_extra_opening')
          .values(left.map((h) => ({ desk_id: deskId, day, opens: h.opens, closes: h.closes })))
          .execute();
    }
    await trx
      .insertInto('desk_closure')
      .values({
        desk_id: deskId,
        day,
        reason: reason || null,
        closed_from: part?.opens ?? null,
        closed_until: part?.closes ?? null,
      })
      .execute();
    const affected = await bookingsClosedBy(trx, deskId, day, part, now)
      .select(['id', 'reference', 'email', 'phone'])
      .orderBy('starts_at')
      .orderBy('id')
      .forUpdate()
      .execute();
    let cancelled = 0;
    for (const b of affected) {
      // A short token when an SMS will carry it (as a new booking's); none when nobody can be written to.
      const manageToken = manageTokenFor(b);
      if (await cancelBooking(trx, b.id, now, manageToken ? { dayClosed: { manageToken } } : {})) {
        cancelled += 1;
        // Each one cancelled by the desk, as a cancellation from the agenda says it: the network's
        // figures count it as the desk's, not the family's (src/features/figures/count-figures.ts).
        await writeAudit(trx, {
          actorUserId: options.actorUserId,
          action: 'booking.cancelled_by_staff',
          subject: `booking:${b.id}`,
          detail: { desk: deskId, reference: b.reference, dayClosed: day },
        });
      }
    }
    // The desk's activities in the closed part are not held either (series-closures.ts).
    const series = await closeSeriesDates(trx, deskId, day, part, now);
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.day_closed',
      subject: `desk:${deskId}`,
      detail: {
        day,
        from: part?.opens ?? null,
        until: part?.closes ?? null,
        cancelled,
        seriesDatesCancelled: series.cancelled,
      },
    });
    return { cancelled, series };
  });
  if (outcome === 'not_found') return { ok: false, reason: 'not_found' };
  if (outcome === 'exists') return { ok: false, errors: { day: 'staff.desk.error.closureExists' } };
  return { ok: true, day, cancelled: outcome.cancelled, series: outcome.series };
}

/** The bookings a closure of that day (or part) would cancel, for the confirmation page. */
export async function bookingsInPart(
  db: Db,
  deskId: number,
  day: string,
  part: Interval | null,
  now: Date = new Date(),
): Promise<number> {
  const row = await bookingsClosedBy(db, deskId, day, part, now)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
