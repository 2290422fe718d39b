// Booking against the real database engine: capacity under concurrency, idempotent submissions,
// cancelling and moving, and erasure. Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
// The tests share one seeded database, so each books slots no other test uses: any one passes alone
// (`-t name`) and in any order (`--sequence.shuffle`).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import {
  cancelBooking,
  findBookingByReferenceAndPhone,
  findBookingByToken,
  moveBooking,
} from '#/features/booking/manage-booking.ts';
import { createBooking, type NewBooking } from '#/features/booking/create-booking.ts';
import { eraseExpiredBookings } from '#/features/booking/erase-bookings.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { romeToInstant, toRomeIso } from '#/lib/time.ts';

let t: TestDatabase;
let desk: Desk;
const now = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!; // Tuesdays 10:00–13:00, 30-minute slots, capacity 1
});
afterAll(() => t.close());

const request = (over: Partial<NewBooking>): NewBooking => ({
  desk,
  start: romeToInstant(2026, 12, 15, 10, 0),
  firstName: 'Amina',
  email: null,
  phone: '+393331112222',
  topic: null,
  note: null,
  locale: 'it',
  submissionKey: null,
  source: 'public',
  ...over,
});

async function bookedCount(start: Date, deskId = desk.id) {
  const rows = await t.db
    .selectFrom('booking')
    .select('id')
    .where('desk_id', '=', deskId)
    .where('starts_at', '=', start)
    .where('status', '=', 'confirmed')
    .execute();
  const counter = await t.db
    .selectFrom('booking_slot')
    .select('booked')
    .where('desk_id', '=', deskId)
    .where('starts_at', '=', start)
    .executeTakeFirst();
  return { rows: rows.length, counter: counter?.booked ?? 0 };
}

describe(`booking capacity (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('200 concurrent requests for a slot of capacity 1 make exactly 1 booking', async () => {
    const start = romeToInstant(2026, 12, 15, 10, 30);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => createBooking(t.db, request({ start, firstName: `Person ${i}` }), now)),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused).toHaveLength(199);
    for (const o of refused) {
      expect(o).toMatchObject({ ok: false, reason: 'slot_full' });
      if (!o.ok) expect(o.alternatives.length).toBeGreaterThan(0);
    }
    expect(await bookedCount(start)).toEqual({ rows: 1, counter: 1 });
  });

  it('capacity 3 gives exactly 3 bookings', async () => {
    await t.db.updateTable('desk').set({ capacity_per_slot: 3 }).where('id', '=', desk.id).execute();
    // Put back even when an assertion fails, so the tests after this one still see capacity 1.
    onTestFinished(async () => {
      await t.db.updateTable('desk').set({ capacity_per_slot: 1 }).where('id', '=', desk.id).execute();
    });
    const wide = { ...desk, capacityPerSlot: 3 };
    const start = romeToInstant(2026, 12, 15, 11, 0);
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, () => createBooking(t.db, request({ desk: wide, start }), now)),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
    expect(await bookedCount(start)).toEqual({ rows: 3, counter: 3 });
  });

  it('the same form submitted twice books once', async () => {
    const start = romeToInstant(2026, 12, 15, 11, 30);
    const outcomes = await Promise.all(
      [0, 1, 2].map(() => createBooking(t.db, request({ start, submissionKey: 'form-abc' }), now)),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const refs = new Set(outcomes.map((o) => (o.ok ? o.booking.reference : '')));
    expect(refs.size).toBe(1);
    expect(await bookedCount(start)).toEqual({ rows: 1, counter: 1 });
  });

  it("a submission key reused by another client returns nothing of the first client's booking", async () => {
    const start = romeToInstant(2026, 12, 29, 12, 0);
    const mine = await createBooking(
      t.db,
      request({ start, submissionKey: 'guessable-1', phone: '+393331110001' }),
      now,
    );
    expect(mine).toMatchObject({ ok: true, duplicate: false });
    // Another client, same key (a guessed or copied value): no duplicate, no reference of mine.
    const theirs = await createBooking(
      t.db,
      request({ start: romeToInstant(2026, 12, 29, 12, 30), submissionKey: 'guessable-1', phone: '+393339990001' }),
      now,
    );
    expect(theirs).toMatchObject({ ok: true, duplicate: false });
    expect(theirs.ok && mine.ok && theirs.booking.reference).not.toBe(mine.ok && mine.booking.reference);
    // The same client sending again still gets its own booking back.
    const again = await createBooking(
      t.db,
      request({ start, submissionKey: 'guessable-1', phone: '+393331110001' }),
      now,
    );
    expect(again).toMatchObject({
      ok: true,
      duplicate: true,
      booking: { reference: mine.ok ? mine.booking.reference : '' },
    });
  });

  it('refuses times the desk does not offer', async () => {
    const wrongDay = await createBooking(t.db, request({ start: romeToInstant(2026, 12, 16, 10, 0) }), now); // a Wednesday
    expect(wrongDay).toMatchObject({ ok: false, reason: 'slot_unavailable' });
    const offGrid = await createBooking(t.db, request({ start: romeToInstant(2026, 12, 15, 10, 10) }), now);
    expect(offGrid).toMatchObject({ ok: false, reason: 'slot_unavailable' });
    const past = await createBooking(t.db, request({ start: romeToInstant(2026, 11, 24, 10, 0) }), now);
    expect(past).toMatchObject({ ok: false, reason: 'slot_unavailable' });
  });

  it('lists a week of slots with what remains', async () => {
    // Its own week (no other test books there) and its own booking: the counts do not depend on
    // which tests ran before.
    expect((await createBooking(t.db, request({ start: romeToInstant(2027, 1, 5, 10, 30) }), now)).ok).toBe(true);
    const slots = await listDeskSlots(t.db, desk, '2027-01-04', '2027-01-10', now);
    expect(slots.map((s) => toRomeIso(s.start).slice(11, 16))).toEqual([
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '12:00',
      '12:30',
    ]);
    expect(slots.find((s) => toRomeIso(s.start).includes('T10:30'))?.remaining).toBe(0);
    expect(slots.find((s) => toRomeIso(s.start).includes('T12:00'))?.remaining).toBe(1);
  });
});

describe('managing a booking', () => {
  it('cancelling frees the slot at once, and withdraws the reminder', async () => {
    const start = romeToInstant(2026, 12, 22, 10, 0);
    // A phone of its own: this file books many times with the default one, past its daily message cap.
    const made = await createBooking(t.db, request({ start, email: 'amina@example.org', phone: '+393331118888' }), now);
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    const found = await findBookingByToken(t.db, made.manageToken!);
    expect(found?.reference).toBe(made.booking.reference);
    // The family gave a mobile too: each email has its SMS beside it.
    const messages = await t.db
      .selectFrom('outbox')
      .select(['kind', 'channel', 'status'])
      .where('booking_id', '=', made.booking.id)
      .orderBy('id')
      .execute();
    expect(messages).toEqual([
      { kind: 'booking_confirmation', channel: 'email', status: 'pending' },
      { kind: 'booking_reminder', channel: 'email', status: 'pending' },
      { kind: 'booking_confirmation', channel: 'sms', status: 'pending' },
      { kind: 'booking_reminder', channel: 'sms', status: 'pending' },
    ]);
    expect(await cancelBooking(t.db, found!.id, now)).toBe(true);
    expect(await cancelBooking(t.db, found!.id, now)).toBe(false);
    expect(await bookedCount(start)).toEqual({ rows: 0, counter: 0 });
    const after = await t.db
      .selectFrom('outbox')
      .select(['kind', 'channel', 'status'])
      .where('booking_id', '=', made.booking.id)
      .orderBy('id')
      .execute();
    expect(after).toEqual([
      { kind: 'booking_confirmation', channel: 'email', status: 'pending' },
      { kind: 'booking_reminder', channel: 'email', status: 'cancelled' },
      { kind: 'booking_confirmation', channel: 'sms', status: 'pending' },
      { kind: 'booking_reminder', channel: 'sms', status: 'cancelled' },
      { kind: 'booking_cancelled', channel: 'email', status: 'pending' },
      { kind: 'booking_cancelled', channel: 'sms', status: 'pending' },
    ]);
    const again = await createBooking(t.db, request({ start }), now);
    expect(again.ok).toBe(true);
  });

  it('finds a phone-only booking by reference and phone, and by the short manage token its SMS carries', async () => {
    const made = await createBooking(t.db, request({ start: romeToInstant(2026, 12, 22, 11, 0) }), now);
    if (!made.ok) throw new Error('not booked');
    expect(made.manageToken).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await findBookingByToken(t.db, made.manageToken!))?.id).toBe(made.booking.id);
    expect((await findBookingByReferenceAndPhone(t.db, made.booking.reference, '+393331112222'))?.id).toBe(
      made.booking.id,
    );
    expect(await findBookingByReferenceAndPhone(t.db, made.booking.reference, '+393339999999')).toBeUndefined();
  });

  it('moving takes the new place before freeing the old one', async () => {
    const from = romeToInstant(2026, 12, 22, 11, 30);
    const full = romeToInstant(2026, 12, 22, 12, 0);
    const to = romeToInstant(2026, 12, 22, 12, 30);
    const mine = await createBooking(t.db, request({ start: from, email: 'x@example.org' }), now);
    await createBooking(t.db, request({ start: full, firstName: 'Other' }), now);
    if (!mine.ok) throw new Error('not booked');
    const booking = (await findBookingByToken(t.db, mine.manageToken!))!;
    const refused = await moveBooking(t.db, booking, desk, full, now);
    expect(refused).toMatchObject({ ok: false, reason: 'slot_full' });
    expect(await bookedCount(from)).toEqual({ rows: 1, counter: 1 });
    const moved = await moveBooking(t.db, booking, desk, to, now);
    expect(moved.ok).toBe(true);
    expect(await bookedCount(from)).toEqual({ rows: 0, counter: 0 });
    expect(await bookedCount(to)).toEqual({ rows: 1, counter: 1 });
  });

  it('erases personal data 30 days after the appointment and keeps the count', async () => {
    const made = await createBooking(
      t.db,
      request({ start: romeToInstant(2026, 12, 29, 10, 0), email: 'erase@example.org', note: 'nota' }),
      now,
    );
    if (!made.ok) throw new Error('not booked');
    await eraseExpiredBookings(t.db, new Date('2027-01-20T00:00:00Z')); // 22 days after: kept
    expect((await findBookingByToken(t.db, made.manageToken!))?.email).toBe('erase@example.org');
    expect(await eraseExpiredBookings(t.db, new Date('2027-01-29T12:00:00Z'))).toBeGreaterThan(0);
    const row = await t.db
      .selectFrom('booking')
      .selectAll()
      .where('id', '=', made.booking.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      first_name: null,
      email: null,
      phone: null,
      note: null,
      manage_token_hash: null,
      status: 'confirmed',
    });
    expect(row.erased_at).not.toBeNull();
    expect(await t.db.selectFrom('outbox').select('id').where('booking_id', '=', made.booking.id).execute()).toEqual(
      [],
    );
    expect(await findBookingByToken(t.db, made.manageToken!)).toBeUndefined();
  });
});
