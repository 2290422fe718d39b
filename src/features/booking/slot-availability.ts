// What a desk offers: its slots from its rules (slots.ts) with the places left in each, read from the
// slots' counters (booking_slot), and the next free ones when a chosen slot is gone.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { romeDateString } from '#/lib/time.ts';
import { generateSlots, addDays, type Slot, type SlotRules } from './slots.ts';

export interface SlotAvailability {
  start: Date;
  end: Date;
  capacity: number;
  remaining: number;
}

/** Closures and extra openings of a desk between two days, for slot generation. */
async function loadExceptions(db: Db, deskId: number, from: string, to: string) {
  const [closures, extra] = await Promise.all([
    db
      .selectFrom('desk_closure')
      .select('day')
      .where('desk_id', '=', deskId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute(),
    db
      .selectFrom('desk_extra_opening')
      .select(['day', 'opens', 'closes'])
      .where('desk_id', '=', deskId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute(),
  ]);
  return {
    closures: new Set(closures.map((c) => c.day)),
    extraOpenings: extra.map((e) => ({ day: e.day, opens: e.opens.slice(0, 5), closes: e.closes.slice(0, 5) })),
  };
}

function rulesFor(desk: Desk, exceptions: Pick<SlotRules, 'closures' | 'extraOpenings'>): SlotRules {
  return {
    slotMinutes: desk.slotMinutes,
    hours: desk.hours,
    minNoticeMinutes: desk.minNoticeMinutes,
    maxDaysAhead: desk.maxDaysAhead,
    ...exceptions,
  };
}

/**
 * Slots of a desk from one day to another (inclusive) with what is left of each. Three queries
 * whatever the booking history: exceptions, and the counters of the slots in the range.
 */
export async function listDeskSlots(
  db: Db,
  desk: Desk,
  from: string,
  to: string,
  now: Date = new Date(),
): Promise<SlotAvailability[]> {
  const slots = generateSlots(rulesFor(desk, await loadExceptions(db, desk.id, from, to)), from, to, now);
  if (slots.length === 0) return [];
  const counters = await db
    .selectFrom('booking_slot')
    .select(['starts_at', 'capacity', 'booked'])
    // Holds whose code never came are free already, before anything releases them (holds.ts).
    .select((eb) =>
      eb
        .selectFrom('booking')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('booking.slot_id', '=', 'booking_slot.id')
        .where('booking.status', '=', 'pending')
        .where('booking.hold_expires_at', '<=', now)
        .as('lapsed'),
    )
    .where('desk_id', '=', desk.id)
    .where('starts_at', '>=', slots[0]!.start)
    .where('starts_at', '<=', slots.at(-1)!.start)
    .execute();
  const byStart = new Map(counters.map((c) => [c.starts_at.getTime(), c]));
  return slots.map((s) => {
    const c = byStart.get(s.start.getTime());
    const capacity = c?.capacity ?? desk.capacityPerSlot;
    const taken = (c?.booked ?? 0) - Number(c?.lapsed ?? 0);
    return { start: s.start, end: s.end, capacity, remaining: Math.max(0, capacity - taken) };
  });
}

/** Up to `count` free slots from `after` on, within the next four weeks: offered when a slot is taken. */
export async function nextFreeSlots(
  db: Db,
  desk: Desk,
  after: Date,
  now: Date,
  count = 3,
): Promise<SlotAvailability[]> {
  const from = romeDateString(after);
  const slots = await listDeskSlots(db, desk, from, addDays(from, 28), now);
  return slots.filter((s) => s.remaining > 0 && s.start.getTime() > after.getTime() - 1).slice(0, count);
}

/** Closures and extra openings known without a query (desk-cache.ts), or undefined to read them. */
export type KnownExceptions = (from: string, to: string) => Pick<SlotRules, 'closures' | 'extraOpenings'> | undefined;

/** The slot starting at `start`, if the desk offers it and it is inside the booking window now. */
export async function findOfferedSlot(
  db: Db,
  desk: Desk,
  start: Date,
  now: Date,
  known?: KnownExceptions,
): Promise<Slot | undefined> {
  const day = romeDateString(start);
  const exceptions = known?.(day, day) ?? (await loadExceptions(db, desk.id, day, day));
  const slots = generateSlots(rulesFor(desk, exceptions), day, day, now);
  return slots.find((s) => s.start.getTime() === start.getTime());
}

/**
 * Whether a slot has a place left now (lapsed holds counted as free), as an SQL expression for the
 * statement that counts a hold's limits (hold-limits.ts): a read without locks, so a crowd racing
 * for a full slot is turned away before it queues on the slot's counter. Only a hint: the write
 * (takePlace) decides. True for a slot without a counter yet.
 */
export function placeLeftSql(deskId: number, start: Date, now: Date): RawBuilder<boolean> {
  return sql<boolean>`NOT EXISTS (
    SELECT 1 FROM booking_slot
     WHERE booking_slot.desk_id = ${deskId}::int AND booking_slot.starts_at = ${start}::timestamptz
       AND booking_slot.booked - (SELECT count(*) FROM booking
                                   WHERE booking.slot_id = booking_slot.id AND booking.status = 'pending'
                                     AND booking.hold_expires_at <= ${now}::timestamptz) >= booking_slot.capacity)`;
}
