// Families whose appointment a closed day cancelled (close-day.ts). Their cancellation message carries
// a fresh link to the booking's page, which offers, once, either another time at the same desk (the
// booking's move, manage-booking.ts) or the desk's waiting list for a range of days, in one step:
// the family's name, contact and language are the booking's, so nothing is asked again.
//
// No per-client or per-contact cap here (the public list's wait-limits.ts): the link is the proof
// that the desk turned this family away, and its mark (booking.displaced_at) is cleared in the same
// transaction, so one closure gives at most one entry.
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { addDays } from '#/features/booking/slots.ts';
import { MAX_RANGE_DAYS } from '#/features/waitlist/join-desk.ts';
import { insertWaitEntry, waitToken } from '#/features/waitlist/wait-token.ts';
import { queueWaitMessage } from '#/features/waitlist/wait-messages.ts';

/** The days offered first: from tomorrow (or the closed day, if later) for two weeks. */
export const DEFAULT_WAIT_DAYS = 14;

export const DISPLACED_WAIT_FIELDS = ['fromDay', 'toDay'] as const;
type DaysErrors = Partial<Record<(typeof DISPLACED_WAIT_FIELDS)[number], string>>;

const E = 'waitlist.desk.error.';
const dayNumber = (day: string) => Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)) / 86_400_000;

function realDay(raw: string): string | undefined {
  const day = toLatinDigits(raw).trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(day) ? parseDateOnly(day) : undefined;
  return d ? day : undefined;
}

/** The range the page suggests for a booking of `closedDay`. */
export function suggestedDays(closedDay: string, now: Date = new Date()): { fromDay: string; toDay: string } {
  const tomorrow = addDays(romeDateString(now), 1);
  const fromDay = closedDay > tomorrow ? closedDay : tomorrow;
  return { fromDay, toDay: addDays(fromDay, DEFAULT_WAIT_DAYS) };
}

/** The days as typed, checked with the public desk list's rules and messages (join-desk.ts). */
export function checkWaitDays(
  input: { fromDay: string; toDay: string },
  now: Date = new Date(),
): { ok: true; fromDay: string; toDay: string } | { ok: false; errors: DaysErrors } {
  const errors: DaysErrors = {};
  const fromDay = realDay(input.fromDay);
  const toDay = realDay(input.toDay);
  if (!fromDay) errors.fromDay = `${E}dayInvalid`;
  else if (fromDay < romeDateString(now)) errors.fromDay = `${E}past`;
  if (!toDay) errors.toDay = `${E}dayInvalid`;
  else if (fromDay && toDay < fromDay) errors.toDay = `${E}order`;
  else if (fromDay && dayNumber(toDay) - dayNumber(fromDay) > MAX_RANGE_DAYS) errors.toDay = `${E}tooLong`;
  if (!fromDay || !toDay || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, fromDay, toDay };
}

export type DisplacedWaitOutcome =
  | { ok: true; token: string; reference: string }
  | { ok: false; errors: DaysErrors }
  | { ok: false; reason: 'not_displaced' };

/**
 * Puts the family of a displaced booking on its desk's waiting list for the days chosen, with the
 * booking's name, contact and language, and tells them (the list's "you are on the list" message,
 * with its status link). The booking's row is locked and its mark cleared in the same transaction.
 */
export async function joinListAfterClosure(
  db: Db,
  bookingId: number,
  days: { fromDay: string; toDay: string },
  now: Date = new Date(),
): Promise<DisplacedWaitOutcome> {
  const checked = checkWaitDays(days, now);
  if (!checked.ok) return checked;
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    const booking = await trx
      .selectFrom('booking')
      .innerJoin('desk', 'desk.id', 'booking.desk_id')
      .select([
        'booking.desk_id',
        'desk.slug',
        'booking.first_name',
        'booking.phone',
        'booking.email',
        'booking.locale',
      ])
      .where('booking.id', '=', bookingId)
      .where('booking.status', '=', 'cancelled')
      .where('booking.displaced_at', 'is not', null)
      .where('booking.erased_at', 'is', null)
      .forUpdate('booking')
      .executeTakeFirst();
    if (!booking) return { ok: false, reason: 'not_displaced' } as const;
    const person = { name: booking.first_name, phone: booking.phone, email: booking.email, locale: booking.locale };
    const entry = await insertWaitEntry(trx, secret, {
      desk_id: booking.desk_id,
      from_day: checked.fromDay,
      to_day: checked.toDay,
      adults: 1,
      seats: 1,
      ...person,
      client: null,
      submission_key: null,
    });
    await queueWaitMessage(trx, 'waitlist_joined', { ...entry, ...person }, { deskSlug: booking.slug, seats: 1 });
    await trx.updateTable('booking').set({ displaced_at: null }).where('id', '=', bookingId).execute();
    return { ok: true, token: waitToken(secret, entry), reference: entry.reference } as const;
  });
}
