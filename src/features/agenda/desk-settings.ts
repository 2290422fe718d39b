// A desk's booking settings: slot length, capacity per slot, minimum notice and booking window.
// Authorization is the caller's (`can(actor, {kind: 'desk.settings'})` on the desk); messages are
// locale keys `staff.desk.error.*`.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';

export interface DeskSettings {
  slotMinutes: number;
  capacityPerSlot: number;
  minNoticeMinutes: number;
  maxDaysAhead: number;
}
export type DeskSettingsField = keyof DeskSettings;
export const DESK_SETTINGS_FIELDS = [
  'slotMinutes',
  'capacityPerSlot',
  'minNoticeMinutes',
  'maxDaysAhead',
] as const satisfies DeskSettingsField[];

/** Limits (the database's CHECKs, and a 14-day cap on the notice); slots in steps of 5 minutes. */
export const DESK_SETTINGS_LIMITS: Record<DeskSettingsField, { min: number; max: number; step: number }> = {
  slotMinutes: { min: 5, max: 240, step: 5 },
  capacityPerSlot: { min: 1, max: 50, step: 1 },
  minNoticeMinutes: { min: 0, max: 20160, step: 1 },
  maxDaysAhead: { min: 1, max: 366, step: 1 },
};

export const SETTINGS_ERRORS: Record<DeskSettingsField, string> = {
  slotMinutes: 'staff.desk.error.slotMinutes',
  capacityPerSlot: 'staff.desk.error.capacityPerSlot',
  minNoticeMinutes: 'staff.desk.error.minNoticeMinutes',
  maxDaysAhead: 'staff.desk.error.maxDaysAhead',
};

export function checkDeskSettings(
  raw: Record<DeskSettingsField, string>,
): { ok: true; value: DeskSettings } | { ok: false; errors: Partial<Record<DeskSettingsField, string>> } {
  const errors: Partial<Record<DeskSettingsField, string>> = {};
  const value = {} as DeskSettings;
  for (const field of DESK_SETTINGS_FIELDS) {
    const text = (raw[field] ?? '').trim();
    const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
    const { min, max, step } = DESK_SETTINGS_LIMITS[field];
    if (!Number.isInteger(n) || n < min || n > max || n % step !== 0) errors[field] = SETTINGS_ERRORS[field];
    else value[field] = n;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

export type SettingsResult =
  { ok: true; slotsKeptAboveCapacity: number; futureBookings: number } | { ok: false; reason: 'not_found' };

/**
 * Changes slot length, capacity and booking window.
 *
 * Capacity. Each booked slot has its own counter row (booking_slot) with the capacity it was
 * created with; new rows take the desk's capacity. A change applies at once to every slot that has
 * not started, not only to slots nobody has booked yet: raising it opens places in slots already
 * full, which is what an operator who adds a colleague expects. Lowering it never cancels anyone:
 * a slot already holding more bookings than the new capacity keeps them, and its capacity becomes
 * its booked count (GREATEST(new, booked)), so it takes no further booking — the change is refused
 * for that slot only, and the page says how many slots that was, to move people by hand if needed.
 * (If one of those bookings is later cancelled, the place it frees can be booked again: such a slot
 * never holds more than it did when the capacity changed.) The UPDATE takes each counter's row lock,
 * so it serializes with concurrent bookings of the same slot; the CHECK booked ≤ capacity stays true.
 *
 * Slot length and window. New lengths apply to slot generation at once; existing appointments keep
 * their times (they are rows with their own start and end) and stay in the agenda. The result
 * counts the confirmed future bookings so the page can say so.
 */
export async function updateDeskSettings(
  db: Db,
  deskId: number,
  settings: DeskSettings,
  options: { actorUserId: number; now?: Date },
): Promise<SettingsResult> {
  const checked = checkDeskSettings(
    Object.fromEntries(DESK_SETTINGS_FIELDS.map((f) => [f, String(settings[f])])) as Record<DeskSettingsField, string>,
  );
  if (!checked.ok) throw new RangeError(`invalid desk settings: ${JSON.stringify(checked.errors)}`);
  const now = options.now ?? new Date();
  return runInTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('desk')
      .select(['slot_minutes', 'capacity_per_slot', 'min_notice_minutes', 'max_days_ahead'])
      .where('id', '=', deskId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return { ok: false, reason: 'not_found' } as const;
    await trx
      .updateTable('desk')
      .set({
        slot_minutes: settings.slotMinutes,
        capacity_per_slot: settings.capacityPerSlot,
        min_notice_minutes: settings.minNoticeMinutes,
        max_days_ahead: settings.maxDaysAhead,
      })
      .where('id', '=', deskId)
      .execute();
    let kept = 0;
    if (before.capacity_per_slot !== settings.capacityPerSlot) {
      const capacity = settings.capacityPerSlot;
      const over = await trx
        .updateTable('booking_slot')
        .set({ capacity: sql<number>`greatest(${capacity}::smallint, booked)` })
        .where('desk_id', '=', deskId)
        .where('starts_at', '>=', now)
        .returning(['booked'])
        .execute();
      kept = over.filter((r) => r.booked > capacity).length;
    }
    const future = await trx
      .selectFrom('booking')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('desk_id', '=', deskId)
      .where('status', '=', 'confirmed')
      .where('starts_at', '>=', now)
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.settings_changed',
      subject: `desk:${deskId}`,
      detail: {
        before: {
          slotMinutes: before.slot_minutes,
          capacityPerSlot: before.capacity_per_slot,
          minNoticeMinutes: before.min_notice_minutes,
          maxDaysAhead: before.max_days_ahead,
        },
        after: settings,
        slotsKeptAboveCapacity: kept,
      },
    });
    return { ok: true, slotsKeptAboveCapacity: kept, futureBookings: Number(future.n) };
  });
}
