// A moved appointment's calendar file downloaded from its page supersedes the one emailed before,
// and the next change's email supersedes the download: the download's SEQUENCE is the highest
// outbox id about the booking, and each change's email carries its own (a newer, higher) id. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { findBookingByReferenceAndPhone, moveBooking } from '#/features/booking/manage-booking.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { calendarSequence } from '#/features/booking/calendar-sequence.ts';
import { romeToInstant } from '#/lib/time.ts';

let t: TestDatabase;
let desk: Desk;
const now = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!; // Tuesdays 10:00–13:00
});
afterAll(() => t.close());

/** The id of the latest email of this kind about the booking (what its calendar file's SEQUENCE is). */
async function latestEmailId(bookingId: number, kind: string): Promise<number> {
  const row = await t.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('booking_id', '=', bookingId)
    .where('kind', '=', kind)
    .where('channel', '=', 'email')
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

describe('calendar SEQUENCE of a booking', () => {
  it('gives the download a SEQUENCE at least the emailed one’s, and the next change’s email a higher one', async () => {
    const phone = '+393331234567';
    const made = await createBooking(
      t.db,
      {
        desk,
        start: romeToInstant(2026, 12, 15, 10, 0),
        firstName: 'Amina',
        email: 'amina@example.org',
        phone,
        topic: null,
        note: null,
        locale: 'it',
        submissionKey: null,
        source: 'staff',
      },
      now,
    );
    if (!made.ok) throw new Error(made.reason);
    const id = made.booking.id;

    const first = (await findBookingByReferenceAndPhone(t.db, made.booking.reference, phone))!;
    expect((await moveBooking(t.db, first, desk, romeToInstant(2026, 12, 15, 11, 0), now)).ok).toBe(true);
    const movedEmail = await latestEmailId(id, 'booking_moved');
    expect(movedEmail).toBeGreaterThan(0);
    const download = await calendarSequence(t.db, { bookingId: id });
    expect(download).toBeGreaterThanOrEqual(movedEmail);

    const second = (await findBookingByReferenceAndPhone(t.db, made.booking.reference, phone))!;
    expect((await moveBooking(t.db, second, desk, romeToInstant(2026, 12, 15, 12, 0), now)).ok).toBe(true);
    expect(await latestEmailId(id, 'booking_moved')).toBeGreaterThan(download);
  });
});
