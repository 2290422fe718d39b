// Moving a booking under races (issue #12, "move by reference + phone"): the new place is taken by
// the statement that enforces capacity and the old one freed in the same transaction, so however
// moves, new bookings and cancellations interleave, no slot holds more than its capacity, every
// counter equals the bookings on it, and a move that loses keeps its old place. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bookedByStaff } from '../support/staff-booking.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import {
  cancelBooking,
  findBookingByReferenceAndPhone,
  moveBooking,
  type ManagedBooking,
} from '#/features/booking/manage-booking.ts';
import { romeToInstant } from '#/lib/time.ts';

let t: TestDatabase;
let desk: Desk;
const now = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!; // Tuesdays 10:00–13:00, 30-minute slots, capacity 1
});
afterAll(() => t.close());

let phones = 0;
/** A confirmed booking (staff, by phone: no code step), found again as the family finds it: reference + phone. */
async function booked(start: Date): Promise<ManagedBooking> {
  const phone = `+39333${String(1000000 + phones++)}`;
  const made = await bookedByStaff(t.db, { desk, start, phone, locale: 'ar' }, now);
  return (await findBookingByReferenceAndPhone(t.db, made.reference, phone))!;
}

/** Every counter of the desk equals the confirmed bookings on it, and stays within capacity. */
async function expectCountersTrue(): Promise<void> {
  const { rows } = await sql<{ starts_at: Date; booked: number; capacity: number; held: number }>`
    SELECT s.starts_at, s.booked, s.capacity,
           (SELECT count(*)::int FROM booking b WHERE b.slot_id = s.id AND b.status = 'confirmed') AS held
      FROM booking_slot s WHERE s.desk_id = ${desk.id}`.execute(t.db);
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(r.booked, r.starts_at.toISOString()).toBe(r.held);
    expect(r.booked, r.starts_at.toISOString()).toBeLessThanOrEqual(r.capacity);
  }
}

async function startOf(id: number): Promise<Date> {
  const row = await t.db.selectFrom('booking').select('starts_at').where('id', '=', id).executeTakeFirstOrThrow();
  return row.starts_at;
}

describe('moving a booking under races', () => {
  it('six families racing for one free place: one moves, the others keep their own', async () => {
    const sources = [0, 30, 60, 90, 120, 150].map((m) => romeToInstant(2026, 12, 15, 10 + Math.floor(m / 60), m % 60));
    const families = await Promise.all(sources.map(booked));
    const target = romeToInstant(2026, 12, 29, 10, 0);
    const outcomes = await Promise.all(families.map((b) => moveBooking(t.db, b, desk, target, now)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    for (const o of outcomes.filter((o) => !o.ok)) expect(o).toMatchObject({ ok: false, reason: 'slot_full' });
    for (const [i, b] of families.entries()) expect(await startOf(b.id)).toEqual(outcomes[i]!.ok ? target : sources[i]);
    await expectCountersTrue();
  });

  it('a move racing new bookings of the same place: one of them has it, a losing move keeps its old place', async () => {
    const target = romeToInstant(2026, 12, 29, 10, 30);
    const mine = await booked(romeToInstant(2026, 12, 22, 10, 0));
    const results = await Promise.all([
      moveBooking(t.db, mine, desk, target, now),
      ...Array.from({ length: 5 }, () =>
        booked(target).then(
          () => true,
          () => false,
        ),
      ),
    ]);
    const moved = results[0] as Awaited<ReturnType<typeof moveBooking>>;
    const newOnes = results.slice(1).filter((r) => r === true).length;
    expect(newOnes + (moved.ok ? 1 : 0)).toBe(1);
    expect(await startOf(mine.id)).toEqual(moved.ok ? target : romeToInstant(2026, 12, 22, 10, 0));
    await expectCountersTrue();
  });

  it('one booking moved twice at once ends in one place, and the places it passed through are free', async () => {
    const a = romeToInstant(2026, 12, 22, 11, 0);
    const b = romeToInstant(2026, 12, 29, 11, 0);
    const c = romeToInstant(2026, 12, 29, 11, 30);
    const mine = await booked(a);
    const [toB, toC] = await Promise.all([
      moveBooking(t.db, mine, desk, b, now),
      moveBooking(t.db, mine, desk, c, now),
    ]);
    expect(toB.ok || toC.ok).toBe(true);
    const final = await startOf(mine.id);
    expect([b.getTime(), c.getTime()]).toContain(final.getTime());
    await expectCountersTrue();
    // The place it does not hold is free for the next family.
    const other = final.getTime() === b.getTime() ? c : b;
    await expect(booked(other)).resolves.toBeTruthy();
    await expect(booked(a)).resolves.toBeTruthy();
    await expectCountersTrue();
  });

  it('two full slots swapped at once: both refused, no deadlock, both keep their places', async () => {
    const x = await booked(romeToInstant(2026, 12, 22, 12, 0));
    const y = await booked(romeToInstant(2026, 12, 22, 12, 30));
    const [xy, yx] = await Promise.all([
      moveBooking(t.db, x, desk, y.start, now),
      moveBooking(t.db, y, desk, x.start, now),
    ]);
    expect(xy).toMatchObject({ ok: false, reason: 'slot_full' });
    expect(yx).toMatchObject({ ok: false, reason: 'slot_full' });
    expect(await startOf(x.id)).toEqual(x.start);
    expect(await startOf(y.id)).toEqual(y.start);
    await expectCountersTrue();
  });

  it('a move racing its own cancellation: either cancelled where it was, or moved then cancelled; no place kept', async () => {
    const mine = await booked(romeToInstant(2026, 12, 22, 11, 30));
    const target = romeToInstant(2026, 12, 29, 12, 0);
    const [moved, cancelled] = await Promise.all([
      moveBooking(t.db, mine, desk, target, now),
      cancelBooking(t.db, mine.id, now),
    ]);
    expect(cancelled).toBe(true);
    if (!moved.ok) expect(moved.reason).toBe('not_confirmed');
    await expectCountersTrue();
    await expect(booked(target)).resolves.toBeTruthy();
    await expect(booked(mine.start)).resolves.toBeTruthy();
  });

  it('announces the move to a phone-only family by SMS, and its reminder at the new time', async () => {
    const mine = await booked(romeToInstant(2026, 12, 29, 12, 30));
    const to = romeToInstant(2027, 1, 5, 10, 0);
    const moved = await moveBooking(t.db, mine, desk, to, now);
    expect(moved.ok).toBe(true);
    const messages = await t.db
      .selectFrom('outbox')
      .select(['kind', 'channel', 'status', 'recipient'])
      .where('booking_id', '=', mine.id)
      .where('kind', 'in', ['booking_moved', 'booking_reminder'])
      .orderBy('id')
      .execute();
    expect(messages).toContainEqual({
      kind: 'booking_moved',
      channel: 'sms',
      status: 'pending',
      recipient: mine.phone,
    });
    expect(messages.filter((m) => m.kind === 'booking_reminder' && m.status === 'pending')).toHaveLength(1);
  });
});
