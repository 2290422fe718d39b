// "Tell me if a place opens" at a desk (issue #13) on PGlite and PostgreSQL: a cancelled or
// moved-away appointment inside a family's range of days is offered to the waiting families in
// turn; accepting books it (a confirmed booking with its confirmation); declined or lapsed, it moves
// on; a place an unconfirmed online hold gave back is offered too; and cancellations, offers and acceptances racing never put more on a slot than its capacity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bookedByStaff } from '../support/staff-booking.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { cancelBooking, moveBooking, findBookingByReferenceAndPhone } from '#/features/booking/manage-booking.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { releaseLapsedHolds } from '#/features/booking/holds.ts';
import { romeToInstant } from '#/lib/time.ts';
import { joinDeskWaitlist, parseDeskWait } from '#/features/waitlist/join-desk.ts';
import { acceptOffer, declineOrLeave } from '#/features/waitlist/respond.ts';
import { findWaitByToken } from '#/features/waitlist/wait-status.ts';
import { waitingListRound } from '#/features/waitlist/lapse-offers.ts';
import { waitToken } from '#/features/waitlist/wait-token.ts';
import { confirmWaitEntry } from '#/features/waitlist/wait-holds.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';

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
async function booked(start: Date) {
  const phone = `+39333${String(2000000 + phones++)}`;
  const made = await bookedByStaff(t.db, { desk, start, phone, locale: 'ar' }, now);
  return (await findBookingByReferenceAndPhone(t.db, made.reference, phone))!;
}

/** Joins the desk's list and confirms with the code sent to the phone; returns the status-link token. */
async function waits(fromDay: string, toDay: string): Promise<string> {
  const phone = `+39347${String(2000000 + phones++)}`;
  const parsed = parseDeskWait({ fromDay, toDay, name: 'Sara', phone, locale: 'ar' }, now);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
  const joined = await joinDeskWaitlist(t.db, desk, parsed.value, { client: `desk-client-${phones}` });
  if (!joined.ok) throw new Error(joined.reason);
  const confirmed = await confirmWaitEntry(t.db, joined.id, await latestCodeFromOutbox(t.db, phone));
  if (!confirmed.ok) throw new Error(`code refused: ${confirmed.reason}`);
  const entry = await t.db
    .selectFrom('wait_entry')
    .select(['id', 'reference'])
    .where('reference', '=', joined.reference)
    .executeTakeFirstOrThrow();
  return waitToken(await getServerSecret(t.db), entry);
}
const statusOf = async (token: string) => (await findWaitByToken(t.db, token))?.status;

/** Each counter of the desk = its confirmed bookings + the live offers holding a place there, within capacity. */
async function expectCountersTrue(): Promise<void> {
  const { rows } = await sql<{ starts_at: Date; booked: number; capacity: number; held: number }>`
    SELECT s.starts_at, s.booked, s.capacity,
           (SELECT count(*)::int FROM booking b WHERE b.slot_id = s.id AND b.status = 'confirmed')
         + (SELECT count(*)::int FROM wait_entry w WHERE w.offered_slot_id = s.id AND w.status = 'offered') AS held
      FROM booking_slot s WHERE s.desk_id = ${desk.id}`.execute(t.db);
  for (const r of rows) {
    expect(r.booked, r.starts_at.toISOString()).toBe(r.held);
    expect(r.booked, r.starts_at.toISOString()).toBeLessThanOrEqual(r.capacity);
  }
}

const tuesday = (day: number, hour: number, minute = 0) => romeToInstant(2026, 12, day, hour, minute);

describe('the form', () => {
  it('refuses a past first day, a range the wrong way round, longer than 60 days, and a bad contact', () => {
    const base = { name: 'Sara', phone: '+393470000001', locale: 'it' };
    const fields = (body: Record<string, unknown>) => {
      const p = parseDeskWait({ ...base, ...body }, now);
      return p.ok ? {} : p.fields;
    };
    expect(fields({ fromDay: '2026-11-30', toDay: '2026-12-02' })).toEqual({ fromDay: 'waitlist.desk.error.past' });
    expect(fields({ fromDay: '2026-12-10', toDay: '2026-12-09' })).toEqual({ toDay: 'waitlist.desk.error.order' });
    expect(fields({ fromDay: '2026-12-01', toDay: '2027-03-01' })).toEqual({ toDay: 'waitlist.desk.error.tooLong' });
    expect(fields({ fromDay: '2026-02-30', toDay: '2026-12-09' })).toMatchObject({
      fromDay: 'waitlist.desk.error.dayInvalid',
    });
    expect(fields({ fromDay: '2026-12-01', toDay: '2026-12-09', phone: '' })).toEqual({
      phone: 'events.register.error.contactRequired',
    });
  });
});

describe('places offered in turn', () => {
  it('a cancelled appointment goes to the first family whose days include it; accepting books it', async () => {
    const a = await booked(tuesday(15, 10));
    const b = await booked(tuesday(15, 10, 30));
    const later = await waits('2026-12-20', '2026-12-22'); // joined first, but other days
    const first = await waits('2026-12-14', '2026-12-16');
    const second = await waits('2026-12-15', '2026-12-15');
    await cancelBooking(t.db, a.id, now);
    expect(await statusOf(later)).toBe('waiting');
    expect(await statusOf(first)).toBe('offered');
    expect(await statusOf(second)).toBe('waiting');
    await expectCountersTrue();
    // Accept: a confirmed booking at the freed time, its confirmation SMS queued.
    const accepted = await acceptOffer(t.db, first, { now });
    expect(accepted).toMatchObject({ ok: true, kind: 'desk', deskSlug: desk.slug });
    const booking = await t.db
      .selectFrom('booking')
      .select(['status', 'starts_at', 'phone'])
      .where('reference', '=', accepted.ok ? accepted.reference : '')
      .executeTakeFirstOrThrow();
    expect(booking).toMatchObject({ status: 'confirmed', starts_at: tuesday(15, 10) });
    const sms = await t.db
      .selectFrom('outbox')
      .select('kind')
      .where('recipient', '=', booking.phone!)
      .where('kind', '=', 'booking_confirmation')
      .execute();
    expect(sms).toHaveLength(1);
    await expectCountersTrue();
    // A moved-away appointment frees its place for the next family.
    await moveBooking(t.db, b, desk, tuesday(29, 10), now);
    expect(await statusOf(second)).toBe('offered');
    expect((await findWaitByToken(t.db, second))?.offeredStartsAt).toEqual(tuesday(15, 10, 30));
    await expectCountersTrue();
  });

  it('declined or not accepted in time, the place moves on; a late acceptance changes nothing', async () => {
    const a = await booked(tuesday(15, 11));
    const first = await waits('2026-12-15', '2026-12-15');
    const second = await waits('2026-12-15', '2026-12-15');
    const third = await waits('2026-12-15', '2026-12-15');
    await cancelBooking(t.db, a.id, now);
    // The other places of the day are taken by earlier tests or booked here: only this one is offered.
    expect(await statusOf(first)).toBe('offered');
    expect(await declineOrLeave(t.db, first, now)).toEqual({ ok: true, was: 'offered' });
    expect(await statusOf(second)).toBe('offered');
    const offer = await findWaitByToken(t.db, second);
    const afterExpiry = new Date(offer!.offerExpiresAt!.getTime() + 60_000);
    expect(await acceptOffer(t.db, second, { now: afterExpiry })).toEqual({ ok: false, reason: 'expired' });
    await waitingListRound(t.db, afterExpiry);
    expect(await statusOf(second)).toBe('lapsed');
    expect(await statusOf(third)).toBe('offered');
    await expectCountersTrue();
  });

  it('a place an online booking held but never confirmed goes to the waiting family when the hold lapses', async () => {
    const start = romeToInstant(2027, 1, 12, 10);
    const held = await createBooking(
      t.db,
      {
        desk,
        start,
        firstName: 'Lina',
        email: null,
        phone: `+39333${String(2000000 + phones++)}`,
        topic: null,
        note: null,
        locale: 'it',
        submissionKey: null,
        source: 'public',
      },
      now,
      { hold: { client: 'hold-client' } },
    );
    expect(held).toMatchObject({ ok: true });
    const waiting = await waits('2027-01-12', '2027-01-12');
    expect(await statusOf(waiting)).toBe('waiting');
    // Within its time the hold keeps the place; the worker's release after it offers the place.
    expect(await releaseLapsedHolds(t.db, now)).toBe(0);
    expect(await statusOf(waiting)).toBe('waiting');
    const later = new Date(now.getTime() + 60 * 60_000);
    expect(await releaseLapsedHolds(t.db, later)).toBe(1);
    expect(await statusOf(waiting)).toBe('offered');
    expect((await findWaitByToken(t.db, waiting))?.offeredStartsAt).toEqual(start);
    await expectCountersTrue();
  });

  it('racing cancellations and acceptances never put more on a slot than its capacity', async () => {
    const starts = [0, 30, 60, 90, 120, 150].map((m) => tuesday(22, 10 + Math.floor(m / 60), m % 60));
    const bookings = [];
    for (const s of starts) bookings.push(await booked(s));
    const waiting = [];
    for (let i = 0; i < 8; i++) waiting.push(await waits('2026-12-22', '2026-12-22'));
    await Promise.all([
      ...bookings.map((b) => cancelBooking(t.db, b.id, now)),
      ...waiting.map((w) => acceptOffer(t.db, w, { now })),
      ...waiting.map((w) => acceptOffer(t.db, w, { now })),
      ...waiting.slice(6).map((w) => declineOrLeave(t.db, w, now)),
    ]);
    await expectCountersTrue();
    const accepted = await t.db
      .selectFrom('wait_entry')
      .select('booking_id')
      .where('desk_id', '=', desk.id)
      .where('status', '=', 'accepted')
      .execute();
    expect(new Set(accepted.map((a) => a.booking_id)).size).toBe(accepted.length);
  }, 120_000);
});
