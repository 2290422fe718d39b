// A reference drawn that another row already has, at the three places that insert under a fresh
// reference (insertUnderFreshReference): a family joining an event's waiting list (QW), the sign-up
// an accepted event offer makes (QE) and the booking an accepted desk offer makes (QB). Each runs
// its real code; only chance is steered: the next reference drawn is one already taken (Node's
// randomBytes answers generateReference's 12 bytes with that reference's letters, once). Against
// PGlite and PostgreSQL. Before the fix, each of these ended the family's request with an error.
//
// Not vi.mock: test files share their worker's modules (isolate: false in vitest.config.ts), so a
// file that ran before this one has already loaded reference.ts with the real node:crypto. Node's
// own crypto object is patched instead, and syncBuiltinESMExports() hands the patch to every
// module's `import { randomBytes } from 'node:crypto'`; afterAll puts the real one back.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { bookedByStaff } from '../support/staff-booking.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { REFERENCE_ALPHABET } from '#/features/booking/reference.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { cancelRegistration, confirmRegistration } from '#/features/events/registration-holds.ts';
import type { Party } from '#/features/events/party.ts';
import { joinEventWaitlist } from '#/features/waitlist/join-event.ts';
import { joinDeskWaitlist, parseDeskWait } from '#/features/waitlist/join-desk.ts';
import { confirmWaitEntry } from '#/features/waitlist/wait-holds.ts';
import { acceptOffer } from '#/features/waitlist/respond.ts';
import { waitToken } from '#/features/waitlist/wait-token.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { cancelBooking, findBookingByReferenceAndPhone } from '#/features/booking/manage-booking.ts';
import { romeToInstant } from '#/lib/time.ts';

/** References the next draws of generateReference are to give, in order (then chance again). */
const steered: string[] = [];
/** How many steered references generateReference has drawn. */
let drawnSteered = 0;

const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
const realRandomBytes = crypto.randomBytes;
function steeredRandomBytes(size: number, ...rest: unknown[]): Buffer {
  // Only generateReference's draw is steered: an IV or a token of 12 bytes stays random.
  if (size === 12 && steered.length > 0 && new Error().stack?.includes('generateReference')) {
    drawnSteered++;
    const letters = steered
      .shift()!
      .replace(/^[A-Z]{2}-/, '')
      .replace('-', '');
    return Buffer.from([...letters].map((c) => REFERENCE_ALPHABET.indexOf(c)).concat([0, 0, 0, 0, 0, 0]));
  }
  return (realRandomBytes as (...args: unknown[]) => Buffer)(size, ...rest);
}

let t: TestDatabase;
let desk: Desk;
// The desk's calendar is read on a fixed Tuesday; the events' holds run on the clock.
const now = new Date('2026-12-01T09:00:00Z');
const inTenDays = (slug: string) =>
  insertPartyEvent(t.db, { slug, startsAt: new Date(Date.now() + 10 * 864e5), seats: 2 });

beforeAll(async () => {
  (crypto as { randomBytes: unknown }).randomBytes = steeredRandomBytes;
  syncBuiltinESMExports();
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!; // Tuesdays 10:00–13:00, capacity 1
});
afterAll(async () => {
  crypto.randomBytes = realRandomBytes;
  syncBuiltinESMExports();
  await t.close();
});

let contacts = 0;
const phone = () => `+39348${String(3000000 + ++contacts)}`;
const party = (size: number): Party => ({
  adults: size,
  children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
  name: 'Famiglia Rossi',
  phone: phone(),
  email: null,
  locale: 'ar',
});

/** The next reference drawn is `taken`; answers what `act` answered, after checking it was drawn. */
async function drawingTaken<T>(taken: string, act: () => Promise<T>): Promise<T> {
  drawnSteered = 0;
  steered.push(taken);
  const result = await act();
  expect(drawnSteered, 'the taken reference was drawn').toBe(1);
  expect(steered).toEqual([]);
  return result;
}

/** A confirmed sign-up filling `size` seats: its reference and its "we can't come" token. */
async function signedUp(eventId: number, size: number) {
  const p = party(size);
  const held = await registerParty(t.db, eventId, p, { client: `collide-${contacts}` });
  if (!held.ok) throw new Error(held.reason);
  const done = await confirmRegistration(t.db, held.registration.id, await latestCodeFromOutbox(t.db, p.phone!));
  if (!done.ok || !done.cancelToken) throw new Error('not confirmed');
  return { reference: held.registration.reference, cancelToken: done.cancelToken };
}

/** The status-link token of a confirmed waiting-list entry. */
async function tokenOf(id: number, reference: string): Promise<string> {
  return waitToken(await getServerSecret(t.db), { id, reference });
}

const entryByReference = (reference: string) =>
  t.db.selectFrom('wait_entry').select(['id', 'phone', 'status']).where('reference', '=', reference).executeTakeFirst();

describe('a reference already taken, drawn for a new row', () => {
  it('a family joining an event waiting list gets the next reference drawn', async () => {
    const event = await inTenDays('festa-collisione');
    await signedUp(event.id, 2);
    const first = party(1);
    const joined = await joinEventWaitlist(t.db, event.id, first, { client: 'collide-first' });
    if (!joined.ok) throw new Error(joined.reason);

    const second = party(1);
    const again = await drawingTaken(joined.reference, () =>
      joinEventWaitlist(t.db, event.id, second, { client: 'collide-second' }),
    );
    expect(again).toMatchObject({ ok: true });
    if (!again.ok) return;
    expect(again.reference).not.toBe(joined.reference);
    expect(again.reference).toMatch(/^QW-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
    // Both families on the list, each under its own reference, the first one's row untouched.
    expect(await entryByReference(joined.reference)).toMatchObject({ id: joined.id, phone: first.phone });
    expect(await entryByReference(again.reference)).toMatchObject({ id: again.id, phone: second.phone });
    // The second family's code came, and confirms its place.
    const confirmed = await confirmWaitEntry(t.db, again.id, await latestCodeFromOutbox(t.db, second.phone!));
    expect(confirmed).toMatchObject({ ok: true });
  });

  it('accepting an event offer makes its sign-up under the next reference drawn', async () => {
    const event = await inTenDays('festa-collisione-2');
    const mine = await signedUp(event.id, 2);
    const waiting = party(2);
    const joined = await joinEventWaitlist(t.db, event.id, waiting, { client: 'collide-waiting' });
    if (!joined.ok) throw new Error(joined.reason);
    await confirmWaitEntry(t.db, joined.id, await latestCodeFromOutbox(t.db, waiting.phone!));
    await cancelRegistration(t.db, mine.cancelToken); // the two seats are offered to the waiting family

    const accepted = await drawingTaken(mine.reference, async () =>
      acceptOffer(t.db, await tokenOf(joined.id, joined.reference)),
    );
    expect(accepted).toMatchObject({ ok: true, kind: 'event', eventSlug: event.slug });
    const registrations = await t.db
      .selectFrom('event_registration')
      .select(['reference', 'status', 'phone', 'seats'])
      .where('event_id', '=', event.id)
      .orderBy('id')
      .execute();
    // The cancelled sign-up keeps its reference; the accepted one is confirmed under another.
    expect(registrations).toHaveLength(2);
    expect(registrations[0]).toMatchObject({ reference: mine.reference, status: 'cancelled' });
    expect(registrations[1]).toMatchObject({ status: 'confirmed', phone: waiting.phone, seats: 2 });
    expect(registrations[1]!.reference).not.toBe(mine.reference);
    expect(registrations[1]!.reference).toMatch(/^QE-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
  });

  it('accepting a desk offer books the place under the next reference drawn', async () => {
    const start = romeToInstant(2026, 12, 15, 10, 0);
    const bookedPhone = phone();
    const made = await bookedByStaff(t.db, { desk, start, phone: bookedPhone, locale: 'ar' }, now);
    const booking = (await findBookingByReferenceAndPhone(t.db, made.reference, bookedPhone))!;
    const waitingPhone = phone();
    const parsed = parseDeskWait(
      { fromDay: '2026-12-14', toDay: '2026-12-16', name: 'Sara', phone: waitingPhone, locale: 'ar' },
      now,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
    const joined = await joinDeskWaitlist(t.db, desk, parsed.value, { client: 'collide-desk' });
    if (!joined.ok) throw new Error(joined.reason);
    await confirmWaitEntry(t.db, joined.id, await latestCodeFromOutbox(t.db, waitingPhone));
    await cancelBooking(t.db, booking.id, now); // the place is offered to the waiting family

    const accepted = await drawingTaken(made.reference, async () =>
      acceptOffer(t.db, await tokenOf(joined.id, joined.reference), { now }),
    );
    expect(accepted).toMatchObject({ ok: true, kind: 'desk', deskSlug: desk.slug });
    if (!accepted.ok) return;
    expect(accepted.reference).not.toBe(made.reference);
    const rows = await t.db
      .selectFrom('booking')
      .select(['reference', 'status', 'phone'])
      .where('desk_id', '=', desk.id)
      .where('starts_at', '=', start)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { reference: made.reference, status: 'cancelled', phone: bookedPhone },
      { reference: accepted.reference, status: 'confirmed', phone: waitingPhone },
    ]);
  });
});
