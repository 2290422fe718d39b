// Issue #13: joining a waiting list proves the contact with the 6-digit code, as a sign-up does. A
// join is pending (never offered, not in anyone's position) until its code confirms it; not
// confirmed within 15 minutes it lapses, at read time and for good by the worker's round; five
// wrong codes lock it; the per-contact cap counts pending joins too. Run on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { cancelRegistrationById, confirmRegistration } from '#/features/events/registration-holds.ts';
import type { Party } from '#/features/events/party.ts';
import { joinEventWaitlist } from '#/features/waitlist/join-event.ts';
import { confirmWaitEntry, findWaitHold, resendWaitCode, WAIT_HOLD_MINUTES } from '#/features/waitlist/wait-holds.ts';
import { waitingListRound } from '#/features/waitlist/lapse-offers.ts';
import { positionOf } from '#/features/waitlist/wait-status.ts';
import { WAIT_LIMITS } from '#/features/waitlist/wait-limits.ts';

let t: TestDatabase;
const now = new Date();
const later = (minutes: number) => new Date(now.getTime() + minutes * 60000);

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 4 });
  await seedDatabase(t.db, now);
});
afterAll(() => t.close());

let events = 0;
async function newEvent(seats: number) {
  const text = JSON.stringify({ it: 'Festa', en: 'Party', es: 'Fiesta', ar: 'حفلة', zh: '聚会' });
  const row = await t.db
    .insertInto('event')
    .values({
      slug: `festa-codice-${++events}`,
      municipio_id: 8,
      title: text,
      summary: text,
      description: text,
      venue: 'Comunità Oklahoma',
      address: 'Via Costantino Baroni 228',
      transit_hint: null,
      price_note: null,
      starts_at: later(10 * 24 * 60),
      ends_at: null,
      status: 'published',
      seats,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let contacts = 0;
const party = (size: number): Party => ({
  adults: size,
  children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
  name: 'Famiglia Russo',
  phone: `+39348${String(++contacts).padStart(7, '0')}`,
  email: null,
  locale: 'ar',
});
const client = () => `code-client-${contacts}`;

/** The event full with one confirmed sign-up of `seats`; returns that sign-up's id. */
async function fullWith(eventId: number, seats: number): Promise<number> {
  const p = party(seats);
  const held = await registerParty(t.db, eventId, p, { client: client(), now });
  if (!held.ok) throw new Error(held.reason);
  await confirmRegistration(t.db, held.registration.id, await latestCodeFromOutbox(t.db, p.phone!));
  return held.registration.id;
}

async function join(eventId: number, p: Party, at = now) {
  const joined = await joinEventWaitlist(t.db, eventId, p, { client: client(), now: at });
  if (!joined.ok) throw new Error(joined.reason);
  return joined;
}

const statusOf = async (id: number) => (await findWaitHold(t.db, id))?.status;
const kindsSentTo = async (phone: string) =>
  (await t.db.selectFrom('outbox').select('kind').where('recipient', '=', phone).orderBy('id').execute()).map(
    (r) => r.kind,
  );

describe('a join waits for its code', () => {
  it('is pending, sends only the code, and is never offered seats until confirmed', async () => {
    const eventId = await newEvent(2);
    const signUp = await fullWith(eventId, 2);
    const p = party(2);
    const pending = await join(eventId, p);
    expect(await statusOf(pending.id)).toBe('pending');
    expect(await kindsSentTo(p.phone!)).toEqual(['verification_code']);
    // Seats free up: the pending join is passed over, as if it were not there.
    await t.db.transaction().execute((trx) => cancelRegistrationById(trx, signUp, ['confirmed'], now));
    expect(await statusOf(pending.id)).toBe('pending');
    const event = await t.db
      .selectFrom('event')
      .select('seats_taken')
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(event.seats_taken).toBe(0);
    // Confirmed: now in line, its "you are on the list" message replaces the code's, and the free seats are offered.
    const done = await confirmWaitEntry(t.db, pending.id, await latestCodeFromOutbox(t.db, p.phone!));
    expect(done).toMatchObject({ ok: true, alreadyConfirmed: false });
    expect(await statusOf(pending.id)).toBe('offered');
    expect(await kindsSentTo(p.phone!)).toEqual(['waitlist_joined', 'waitlist_offer']);
  });

  it('takes its place in join order once confirmed, and a pending join counts in no position', async () => {
    const eventId = await newEvent(1);
    await fullWith(eventId, 1);
    const first = party(1);
    const second = party(1);
    const a = await join(eventId, first);
    const b = await join(eventId, second);
    await confirmWaitEntry(t.db, b.id, await latestCodeFromOutbox(t.db, second.phone!));
    expect(await positionOf(t.db, b.id)).toBe(1);
    await confirmWaitEntry(t.db, a.id, await latestCodeFromOutbox(t.db, first.phone!));
    expect(await positionOf(t.db, a.id)).toBe(1);
    expect(await positionOf(t.db, b.id)).toBe(2);
  });
});

describe('the code', () => {
  it('five wrong codes lock the join; the right one then does nothing', async () => {
    const eventId = await newEvent(1);
    await fullWith(eventId, 1);
    const p = party(1);
    const pending = await join(eventId, p);
    const right = await latestCodeFromOutbox(t.db, p.phone!);
    const wrong = right === '000000' ? '111111' : '000000';
    const tries = [];
    for (let i = 0; i < 5; i++) tries.push(await confirmWaitEntry(t.db, pending.id, wrong));
    expect(tries.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'locked']);
    expect(await confirmWaitEntry(t.db, pending.id, right)).toEqual({ ok: false, reason: 'locked' });
    expect(await statusOf(pending.id)).toBe('pending');
  });

  it('"send again" replaces the code: the old one no longer works', async () => {
    const eventId = await newEvent(1);
    await fullWith(eventId, 1);
    const p = party(1);
    const pending = await join(eventId, p);
    const old = await latestCodeFromOutbox(t.db, p.phone!);
    const resent = await resendWaitCode(t.db, pending.id, { now: later(2) });
    expect(resent).toEqual({ ok: true, channel: 'sms' });
    const fresh = await latestCodeFromOutbox(t.db, p.phone!);
    expect(await confirmWaitEntry(t.db, pending.id, old, { now: later(2) })).toMatchObject({
      ok: false,
      reason: 'wrong',
    });
    expect(await confirmWaitEntry(t.db, pending.id, fresh, { now: later(2) })).toMatchObject({ ok: true });
  });
});

describe('lapse', () => {
  it('a join not confirmed within 15 minutes lapses: refused at once, released by the round without its data', async () => {
    const eventId = await newEvent(1);
    await fullWith(eventId, 1);
    const p = party(1);
    const pending = await join(eventId, p);
    const code = await latestCodeFromOutbox(t.db, p.phone!);
    const late = later(WAIT_HOLD_MINUTES + 1);
    expect(await confirmWaitEntry(t.db, pending.id, code, { now: late })).toEqual({ ok: false, reason: 'expired' });
    // The same contact may join again at once: the lapsed join holds no place under the caps.
    const again = await joinEventWaitlist(t.db, eventId, p, { client: client(), now: late });
    expect(again.ok).toBe(true);
    await waitingListRound(t.db, late);
    const row = await t.db
      .selectFrom('wait_entry')
      .select(['status', 'name', 'phone'])
      .where('id', '=', pending.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'lapsed', name: null, phone: null });
    const codes = await t.db
      .selectFrom('verification_code')
      .select('wait_entry_id')
      .where('wait_entry_id', '=', pending.id)
      .execute();
    expect(codes).toEqual([]);
    expect(await statusOf(again.ok ? again.id : 0)).toBe('pending');
  });
});

describe('caps', () => {
  it('the per-contact cap counts pending joins too', async () => {
    const p = party(1);
    const ids = [];
    for (let i = 0; i < WAIT_LIMITS.perContact(); i++) {
      const eventId = await newEvent(1);
      await fullWith(eventId, 1);
      ids.push(eventId);
      expect((await joinEventWaitlist(t.db, eventId, p, { client: `cap-${i}`, now })).ok).toBe(true);
    }
    const one = await newEvent(1);
    await fullWith(one, 1);
    expect(await joinEventWaitlist(t.db, one, p, { client: 'cap-last', now })).toEqual({
      ok: false,
      reason: 'contact_limit',
    });
    expect(ids.length).toBe(WAIT_LIMITS.perContact());
  });
});
