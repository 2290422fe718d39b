// Issue #12: "one client address holds at most 3 unconfirmed places at once across the site". A
// place is a desk booking or an event sign-up held for its code: the booking's hold and the
// sign-up's count the same thing (holds/client-holds.ts livePlacesOfClient), so the cap is the same
// whichever a client takes first. PGlite by default, PostgreSQL with TEST_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { registerParty } from '#/features/events/registrations.ts';
import type { Party } from '#/features/events/party.ts';
import { romeToInstant } from '#/lib/time.ts';

let t: TestDatabase;
let desk: Desk;
let eventId: number;
const now = new Date('2026-12-01T09:00:00Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60000);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!; // Tuesdays 10:00–13:00, 30-minute slots, capacity 1
  eventId = (await insertPartyEvent(t.db, { slug: 'festa-posti', startsAt: later(10 * 24 * 60), seats: 100 })).id;
});
afterAll(() => t.close());

// Invented numbers, a new one each time: only the client address is the same.
let phones = 0;
const freshPhone = () => `+39333${String(++phones).padStart(7, '0')}`;
// Quarto Oggiaro's slots on the Tuesdays from 15 December (Rome time), one after another.
let slot = 0;
const nextStart = () => {
  const n = slot++;
  const minutes = 10 * 60 + 30 * (n % 6);
  return romeToInstant(2026, 12, 15 + 7 * Math.floor(n / 6), Math.floor(minutes / 60), minutes % 60);
};

async function book(client: string, at = now): Promise<string> {
  const outcome = await createBooking(
    t.db,
    {
      desk,
      start: nextStart(),
      firstName: 'Amina',
      email: null,
      phone: freshPhone(),
      topic: null,
      note: null,
      locale: 'ar',
      submissionKey: null,
      source: 'public',
    },
    at,
    { hold: { client } },
  );
  return outcome.ok ? 'held' : outcome.reason;
}

async function signUp(client: string, at = now): Promise<string> {
  const party: Party = {
    adults: 1,
    children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
    name: 'Famiglia Rossi',
    phone: freshPhone(),
    email: null,
    locale: 'it',
  };
  const outcome = await registerParty(t.db, eventId, party, { client, now: at });
  return outcome.ok ? 'held' : outcome.reason;
}

describe(`one cap of places across the site (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('sign-ups held count against a desk booking: 3 sign-ups, then no booking', async () => {
    expect([await signUp('signs-up-first'), await signUp('signs-up-first'), await signUp('signs-up-first')]).toEqual([
      'held',
      'held',
      'held',
    ]);
    expect(await book('signs-up-first')).toBe('too_many_holds');
    expect(await signUp('signs-up-first')).toBe('too_many_holds');
    // Another address is not affected.
    expect(await book('someone-else')).toBe('held');
  });

  it('desk bookings held count against a sign-up: 3 bookings, then no sign-up', async () => {
    expect([await book('books-first'), await book('books-first'), await book('books-first')]).toEqual([
      'held',
      'held',
      'held',
    ]);
    expect(await signUp('books-first')).toBe('too_many_holds');
    expect(await book('books-first')).toBe('too_many_holds');
  });

  it('mixed, in either order, 3 places in all; once they lapse the address may hold again', async () => {
    expect([await book('mixed'), await signUp('mixed'), await book('mixed')]).toEqual(['held', 'held', 'held']);
    expect(await signUp('mixed')).toBe('too_many_holds');
    expect(await book('mixed')).toBe('too_many_holds');
    // Both kinds wait 15 minutes for their code.
    expect(await signUp('mixed', later(16))).toBe('held');
    expect(await book('mixed', later(16))).toBe('held');
  });
});
