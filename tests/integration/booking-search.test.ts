// The booking search and the staff home's day against the real database engine (PGlite, and
// PostgreSQL with TEST_DATABASE_URL): a reference, a phone written any way, or part of a first name
// finds the bookings of the desks in the person's scope only (operator: their desks; coordinator:
// their municipi; admin: all; partner: none), exactly as the agenda pages allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookedByStaff } from '../support/staff-booking.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { staffActor } from '../support/staff-actor.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import type { NewBooking } from '#/features/booking/create-booking.ts';
import type { Actor, Role } from '#/features/staff-accounts/policy.ts';
import { searchBookings, searchKind } from '#/features/agenda/booking-search.ts';
import { dayAhead } from '#/features/agenda/day-ahead.ts';
import { romeToInstant } from '#/lib/time.ts';

let t: TestDatabase;
let quarto: Desk; // Municipio 8, Tuesdays 10:00–13:00
let gallaratese: Desk; // Municipio 8, Wednesdays 14:00–17:00
let desk5: Desk; // Municipio 5, Wednesdays 10:00–12:00
const actors = {} as Record<'operator' | 'coordinator8' | 'coordinator5' | 'admin' | 'partner', Actor>;
const now = new Date('2026-12-01T09:00:00Z'); // Tuesday 1 December 2026, 10:00 in Milan
const refs = {} as Record<'quarto' | 'gallaratese' | 'desk5', string>;

const actor = (email: string, role: Role, scope?: Parameters<typeof staffActor>[3]) =>
  staffActor(t.db, email, role, scope);

const book = (over: Partial<NewBooking>, at = now) =>
  bookedByStaff(t.db, { desk: quarto, start: romeToInstant(2026, 12, 15, 10, 0), ...over }, at);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  quarto = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!;
  gallaratese = (await getDeskBySlug(t.db, 'gallaratese'))!;
  const m5 = await t.db
    .insertInto('desk')
    .values({
      slug: 'sportello-m5',
      municipio_id: 5,
      name: 'Sportello M5',
      area: 'Gratosoglio',
      address: 'Via Saponaro 1, Milano',
      phone: '02 1234 5678',
      services: ['orientation'],
      slot_minutes: 30,
      capacity_per_slot: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('desk_opening_hours')
    .values({ desk_id: m5.id, weekday: 3, opens: '10:00', closes: '12:00' })
    .execute();
  desk5 = (await getDeskBySlug(t.db, 'sportello-m5'))!;
  actors.operator = await actor('op@example.org', 'desk_operator', { desks: [quarto.id] });
  actors.coordinator8 = await actor('c8@example.org', 'coordinator', { municipi: [8] });
  actors.coordinator5 = await actor('c5@example.org', 'coordinator', { municipi: [5] });
  actors.admin = await actor('admin@example.org', 'admin', {});
  const organisation = await t.db.selectFrom('organisation').select('id').executeTakeFirstOrThrow();
  actors.partner = await actor('p@example.org', 'partner_editor', { organisationId: organisation.id });
  // One family, Amina, with the same mobile at three desks (another contact each time would be
  // the limits' business, not the search's).
  refs.quarto = (await book({ phone: '+393331234567', firstName: 'Amina' })).reference;
  refs.gallaratese = (
    await book({
      desk: gallaratese,
      start: romeToInstant(2026, 12, 16, 14, 0),
      phone: '+393331234567',
      firstName: 'Amina',
    })
  ).reference;
  refs.desk5 = (
    await book({ desk: desk5, start: romeToInstant(2026, 12, 16, 10, 0), phone: '+393331234567', firstName: 'AMINA' })
  ).reference;
  // Today's, booked a week ago (inside today's minimum notice now).
  const weekAgo = new Date('2026-11-24T09:00:00Z');
  await book({ start: romeToInstant(2026, 12, 1, 11, 0), firstName: 'Luca_100%', locale: 'ar' }, weekAgo);
  await book({ start: romeToInstant(2026, 12, 1, 12, 0), firstName: 'Giulia' }, weekAgo); // cancelled below
  await t.db.updateTable('booking').set({ status: 'cancelled' }).where('first_name', '=', 'Giulia').execute();
});
afterAll(() => t.close());

const found = async (who: keyof typeof actors, typed: string) => {
  const hits = await searchBookings(t.db, actors[who], typed, now);
  if (hits === 'invalid') return 'invalid';
  return hits.map((h) => h.reference).sort();
};

describe(`booking search (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('reads what was typed as a reference, a phone or a name', () => {
    expect(searchKind(' qb 7k4m 2p ')).toEqual({ kind: 'reference', value: 'QB-7K4M-2P' });
    expect(searchKind('0039 333-123.4567')).toEqual({ kind: 'phone', value: '+393331234567' });
    expect(searchKind('٣٣٣١٢٣٤٥٦٧')).toEqual({ kind: 'phone', value: '+393331234567' });
    expect(searchKind('Amina')).toEqual({ kind: 'name', value: 'Amina' });
    expect(searchKind('a')).toBeUndefined();
    expect(searchKind('12')).toBeUndefined();
  });

  it('finds by phone, however written, at the desks in scope only', async () => {
    const all = [refs.quarto, refs.gallaratese, refs.desk5].sort();
    expect(await found('operator', '333 123 4567')).toEqual([refs.quarto]);
    expect(await found('coordinator8', '+39 333 1234567')).toEqual([refs.quarto, refs.gallaratese].sort());
    expect(await found('coordinator5', '0039 3331234567')).toEqual([refs.desk5]);
    expect(await found('admin', '3331234567')).toEqual(all);
    expect(await found('partner', '3331234567')).toEqual([]);
  });

  it('finds by reference (any case, any dashes) only within scope', async () => {
    expect(await found('operator', refs.quarto.toLowerCase())).toEqual([refs.quarto]);
    expect(await found('operator', refs.desk5.replace(/-/g, ' '))).toEqual([]);
    expect(await found('coordinator5', refs.desk5)).toEqual([refs.desk5]);
    expect(await found('coordinator8', refs.desk5)).toEqual([]);
  });

  it('finds by part of a first name, any case, LIKE characters taken literally', async () => {
    expect(await found('coordinator5', 'amin')).toEqual([refs.desk5]);
    expect((await found('operator', 'amin')) as string[]).toHaveLength(1);
    expect((await found('operator', '_100%')) as string[]).toHaveLength(1);
    expect(await found('operator', '%')).toBe('invalid');
    expect(await found('operator', '__')).toEqual([]);
    expect(await found('operator', '12')).toBe('invalid');
  });
});

describe(`the staff home's day (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it("lists today's and tomorrow's appointments of the desks in scope, cancelled ones left out", async () => {
    const days = await dayAhead(t.db, actors.operator, 'it', now);
    expect(days?.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-02']);
    expect(days![0]!.appointments.map((a) => [a.firstName, a.locale, a.deskName])).toEqual([
      ['Luca_100%', 'ar', quarto.name],
    ]);
    expect(days![0]!.appointments[0]!.href).toMatch(
      /^\/it\/staff\/agenda\/quarto-oggiaro\?giorno=2026-12-01&vista=giorno#booking-\d+$/,
    );
    expect(days![1]!.appointments).toEqual([]);
    expect((await dayAhead(t.db, actors.coordinator5, 'it', now))![0]!.appointments).toEqual([]);
    expect(await dayAhead(t.db, actors.partner, 'it', now)).toBeUndefined();
  });
});
