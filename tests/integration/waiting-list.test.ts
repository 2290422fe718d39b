// The waiting-list engine for event seats (issue #13; docs/waiting-list.md) against PGlite and
// PostgreSQL: parties join when they do not fit, pending (never offered, in no one's position) until
// the 6-digit code sent to the contact confirms them (five tries, send again, lapse after 15 minutes,
// the caps counting pending joins); freed seats are offered in order to the first
// party that fits (a smaller one behind a larger one when only it fits); an offer is accepted into
// a confirmed sign-up, declined, or lapses and moves on; racing cancellations, offers and
// acceptances never give a seat twice; and bad links or late answers change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { cancelRegistration, confirmRegistration } from '#/features/events/registration-holds.ts';
import type { Party } from '#/features/events/party.ts';
import { joinEventWaitlist } from '#/features/waitlist/join-event.ts';
import { confirmWaitEntry, findWaitHold, resendWaitCode, WAIT_HOLD_MINUTES } from '#/features/waitlist/wait-holds.ts';
import { positionOf } from '#/features/waitlist/wait-status.ts';
import { WAIT_LIMITS } from '#/features/waitlist/wait-limits.ts';
import { acceptOffer, declineOrLeave } from '#/features/waitlist/respond.ts';
import { findWaitByToken } from '#/features/waitlist/wait-status.ts';
import { waitingListRound } from '#/features/waitlist/lapse-offers.ts';
import { waitToken } from '#/features/waitlist/wait-token.ts';
import { publishEvent } from '#/features/events/event-workflow.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';

let t: TestDatabase;
const now = new Date();
const later = (minutes: number) => new Date(now.getTime() + minutes * 60000);

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 12 });
  await seedDatabase(t.db, now);
});
afterAll(() => t.close());

let events = 0;
const newEvent = (seats: number, startsInMinutes = 10 * 24 * 60) =>
  insertPartyEvent(t.db, { slug: `festa-attesa-${++events}`, startsAt: later(startsInMinutes), seats });

let contacts = 0;
const party = (size: number): Party => ({
  adults: size,
  children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
  name: 'Famiglia Bianchi',
  phone: `+39347${String(++contacts).padStart(7, '0')}`,
  email: null,
  locale: 'ar',
});
const client = () => `wait-client-${contacts}`;

/** A confirmed sign-up of `size` seats; returns its "we can't come" token. */
async function signedUp(eventId: number, size: number): Promise<string> {
  const p = party(size);
  const held = await registerParty(t.db, eventId, p, { client: client(), now });
  if (!held.ok) throw new Error(`sign-up refused: ${held.reason}`);
  const code = await latestCodeFromOutbox(t.db, p.phone!);
  const done = await confirmRegistration(t.db, held.registration.id, code);
  if (!done.ok || !done.cancelToken) throw new Error('not confirmed');
  return done.cancelToken;
}

/** Joins the list and confirms with the code sent to the contact; returns the entry's status-link token. */
async function waits(eventId: number, size: number, at = now): Promise<string> {
  const p = party(size);
  const joined = await joinEventWaitlist(t.db, eventId, p, { client: client(), now: at });
  if (!joined.ok) throw new Error(`join refused: ${joined.reason}`);
  const confirmed = await confirmWaitEntry(t.db, joined.id, await latestCodeFromOutbox(t.db, p.phone!), { now: at });
  if (!confirmed.ok) throw new Error(`code refused: ${confirmed.reason}`);
  const entry = await t.db
    .selectFrom('wait_entry')
    .select(['id', 'reference'])
    .where('reference', '=', joined.reference)
    .executeTakeFirstOrThrow();
  return waitToken(await getServerSecret(t.db), entry);
}

const statusOf = async (token: string) => (await findWaitByToken(t.db, token))?.status;

/** Seats the counter says are taken, and what holds them: sign-ups and live offers. */
async function ledger(eventId: number) {
  const event = await t.db
    .selectFrom('event')
    .select('seats_taken')
    .where('id', '=', eventId)
    .executeTakeFirstOrThrow();
  const regs = await t.db
    .selectFrom('event_registration')
    .select('seats')
    .where('event_id', '=', eventId)
    .where('status', 'in', ['pending', 'confirmed'])
    .execute();
  const offers = await t.db
    .selectFrom('wait_entry')
    .select('seats')
    .where('event_id', '=', eventId)
    .where('status', '=', 'offered')
    .execute();
  const sum = (rows: { seats: number }[]) => rows.reduce((n, r) => n + r.seats, 0);
  return { counter: event.seats_taken, registered: sum(regs), offered: sum(offers) };
}

describe('joining', () => {
  it('refuses a family that is already signed up, and one contact twice on one list', async () => {
    const event = await newEvent(2);
    const p = party(2);
    const held = await registerParty(t.db, event.id, p, { client: client(), now });
    expect(held.ok).toBe(true);
    const again = await joinEventWaitlist(t.db, event.id, p, { client: client(), now });
    expect(again).toEqual({ ok: false, reason: 'already_registered' });
    const q = party(3);
    expect((await joinEventWaitlist(t.db, event.id, q, { client: client(), now })).ok).toBe(true);
    expect(await joinEventWaitlist(t.db, event.id, q, { client: client(), now })).toEqual({
      ok: false,
      reason: 'already_waiting',
    });
  });

  it('a form sent twice finds its first entry: one row, one code, the same reference', async () => {
    const event = await newEvent(2);
    const p = party(2);
    const key = `twice-${p.phone}`;
    const first = await joinEventWaitlist(t.db, event.id, p, { client: client(), submissionKey: key, now });
    const again = await joinEventWaitlist(t.db, event.id, p, { client: client(), submissionKey: key, now });
    if (!first.ok || !again.ok) throw new Error('refused');
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ ...first, duplicate: true });
    const rows = await t.db.selectFrom('wait_entry').select('id').where('event_id', '=', event.id).execute();
    expect(rows).toHaveLength(1);
    const codes = await t.db
      .selectFrom('outbox')
      .select('id')
      .where('recipient', '=', p.phone!)
      .where('kind', 'like', '%code%')
      .execute();
    expect(codes).toHaveLength(1);
  });

  it('tells each family its position and sends it the status link', async () => {
    const event = await newEvent(1);
    await signedUp(event.id, 1);
    const first = await waits(event.id, 2);
    const second = await waits(event.id, 1);
    expect((await findWaitByToken(t.db, first))?.position).toBe(1);
    expect((await findWaitByToken(t.db, second))?.position).toBe(2);
    const sent = await t.db
      .selectFrom('outbox')
      .select(['kind', 'channel', 'locale'])
      .where('recipient', '=', `+39347${String(contacts).padStart(7, '0')}`)
      .execute();
    expect(sent).toEqual([{ kind: 'waitlist_joined', channel: 'sms', locale: 'ar' }]);
  });
});

describe('offers in order', () => {
  it('offers freed seats to the first party that fits, a smaller one behind a larger one when only it fits', async () => {
    const event = await newEvent(6);
    const four = await signedUp(event.id, 4);
    const two = await signedUp(event.id, 2);
    const big = await waits(event.id, 4); // first in line
    const small = await waits(event.id, 2); // second
    const alsoSmall = await waits(event.id, 2); // third
    // Two seats free: the party of 4 does not fit, the first party of 2 behind it does.
    await cancelRegistration(t.db, two);
    expect(await statusOf(big)).toBe('waiting');
    expect(await statusOf(small)).toBe('offered');
    expect(await statusOf(alsoSmall)).toBe('waiting');
    expect((await findWaitByToken(t.db, big))?.position).toBe(1);
    // Four more seats: the party of 4, first in line, gets them before the third party.
    await cancelRegistration(t.db, four);
    expect(await statusOf(big)).toBe('offered');
    expect(await statusOf(alsoSmall)).toBe('waiting');
    expect(await ledger(event.id)).toEqual({ counter: 6, registered: 0, offered: 6 });
  });

  it('accepting an offer makes a confirmed sign-up, with its confirmation, and takes no seat twice', async () => {
    const event = await newEvent(3);
    const mine = await signedUp(event.id, 3);
    const token = await waits(event.id, 3);
    await cancelRegistration(t.db, mine);
    const accepted = await acceptOffer(t.db, token, { now });
    expect(accepted).toMatchObject({ ok: true, kind: 'event', eventSlug: event.slug });
    expect(await ledger(event.id)).toEqual({ counter: 3, registered: 3, offered: 0 });
    const confirmation = await t.db
      .selectFrom('outbox')
      .select('kind')
      .where('kind', '=', 'event_registration_confirmation')
      .where('recipient', '=', `+39347${String(contacts).padStart(7, '0')}`)
      .execute();
    expect(confirmation).toHaveLength(1);
    // The same link again: already done, nothing changes.
    expect(await acceptOffer(t.db, token, { now })).toEqual({ ok: false, reason: 'already_accepted' });
    expect(await ledger(event.id)).toEqual({ counter: 3, registered: 3, offered: 0 });
  });

  it('a declined offer goes to the next party that fits', async () => {
    const event = await newEvent(2);
    const mine = await signedUp(event.id, 2);
    const first = await waits(event.id, 2);
    const second = await waits(event.id, 1);
    await cancelRegistration(t.db, mine);
    expect(await statusOf(first)).toBe('offered');
    expect(await declineOrLeave(t.db, first, now)).toEqual({ ok: true, was: 'offered' });
    expect(await statusOf(second)).toBe('offered');
    expect(await ledger(event.id)).toEqual({ counter: 1, registered: 0, offered: 1 });
  });
});

describe('more seats set by staff', () => {
  it('publishing the event again with more seats offers them to the list', async () => {
    const event = await newEvent(2);
    await signedUp(event.id, 2);
    const token = await waits(event.id, 2);
    // An edit sends a published event back to review with its new seats (updateEvent); a moderator publishes it.
    await t.db.updateTable('event').set({ status: 'submitted', seats: 4 }).where('id', '=', event.id).execute();
    const email = 'admin.attesa@comune.example';
    const id = await createUser(t.db, { email, displayName: 'Admin', role: 'admin' });
    const admin = await loadActor(t.db, {
      id,
      email,
      displayName: email,
      role: 'admin',
      organisationId: null,
      totpEnabled: false,
    });
    expect((await publishEvent(t.db, admin, event.id)).ok).toBe(true);
    expect(await statusOf(token)).toBe('offered');
    expect(await ledger(event.id)).toEqual({ counter: 4, registered: 2, offered: 2 });
  });
});

describe('expiry', () => {
  it('an offer not accepted in time lapses at the next round and moves on; a late acceptance changes nothing', async () => {
    const event = await newEvent(2);
    const mine = await signedUp(event.id, 2);
    const first = await waits(event.id, 2);
    const second = await waits(event.id, 2);
    await cancelRegistration(t.db, mine);
    const offer = await findWaitByToken(t.db, first);
    expect(offer?.status).toBe('offered');
    // WAITLIST_OFFER_HOURS: 12 by default.
    expect(offer!.offerExpiresAt!.getTime() - Date.now()).toBeGreaterThan(11 * 3_600_000);
    const afterExpiry = new Date(offer!.offerExpiresAt!.getTime() + 60_000);
    expect(await acceptOffer(t.db, first, { now: afterExpiry })).toEqual({ ok: false, reason: 'expired' });
    expect(await ledger(event.id)).toEqual({ counter: 2, registered: 0, offered: 2 });
    await waitingListRound(t.db, afterExpiry);
    expect(await statusOf(first)).toBe('lapsed');
    expect(await statusOf(second)).toBe('offered');
    expect(await ledger(event.id)).toEqual({ counter: 2, registered: 0, offered: 2 });
    // The lapsed entry keeps no contact.
    const lapsed = await t.db
      .selectFrom('wait_entry')
      .select(['phone', 'name'])
      .where('status', '=', 'lapsed')
      .execute();
    expect(lapsed.every((e) => e.phone === null && e.name === null)).toBe(true);
  });

  it('near the event an offer is shorter: it ends an hour before the start', async () => {
    const event = await newEvent(1, 5 * 60);
    const mine = await signedUp(event.id, 1);
    const token = await waits(event.id, 1);
    await cancelRegistration(t.db, mine);
    const offer = await findWaitByToken(t.db, token);
    expect(offer?.offerExpiresAt?.getTime()).toBe(later(4 * 60).getTime());
  });
});

describe('WAITLIST_OFFER_HOURS', () => {
  /** The offer made when a family of one frees its seat, with `hours` set (undefined: not set). */
  async function offerWith(hours: string | undefined, startsInMinutes: number) {
    if (hours === undefined) delete process.env.WAITLIST_OFFER_HOURS;
    else process.env.WAITLIST_OFFER_HOURS = hours;
    const event = await newEvent(1, startsInMinutes);
    const mine = await signedUp(event.id, 1);
    const token = await waits(event.id, 1);
    await cancelRegistration(t.db, mine);
    const row = await t.db
      .selectFrom('wait_entry')
      .innerJoin('event', 'event.id', 'wait_entry.event_id')
      .select(['wait_entry.status', 'offered_at', 'offer_expires_at', 'event.starts_at'])
      .where('wait_entry.event_id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('offered');
    return { token, heldMs: row.offer_expires_at!.getTime() - row.offered_at!.getTime(), row };
  }
  const saved = process.env.WAITLIST_OFFER_HOURS;
  afterAll(() => {
    if (saved === undefined) delete process.env.WAITLIST_OFFER_HOURS;
    else process.env.WAITLIST_OFFER_HOURS = saved;
  });

  it('holds an offer exactly that many hours, at most 168 (beyond: the default 12)', async () => {
    expect((await offerWith('3', 10 * 24 * 60)).heldMs).toBe(3 * 3_600_000);
    expect((await offerWith('168', 10 * 24 * 60)).heldMs).toBe(168 * 3_600_000);
    expect((await offerWith('169', 10 * 24 * 60)).heldMs).toBe(12 * 3_600_000);
    expect((await offerWith('not a number', 10 * 24 * 60)).heldMs).toBe(12 * 3_600_000);
    expect((await offerWith(undefined, 10 * 24 * 60)).heldMs).toBe(12 * 3_600_000);
  });

  it('near the event the offer ends an hour before the start, whatever the setting', async () => {
    const { row } = await offerWith('48', 5 * 60);
    expect(row.offer_expires_at!.getTime()).toBe(row.starts_at.getTime() - 60 * 60_000);
  });

  it('an offer past its deadline reads as expired, before and after the round lapses it', async () => {
    const { token, row } = await offerWith('2', 10 * 24 * 60);
    expect((await findWaitByToken(t.db, token))?.offerExpired).toBe(false);
    const late = new Date(row.offer_expires_at!.getTime() + 1000);
    expect(await findWaitByToken(t.db, token, late)).toMatchObject({ status: 'offered', offerExpired: true });
    await waitingListRound(t.db, late);
    expect(await findWaitByToken(t.db, token, late)).toMatchObject({ status: 'lapsed', offerExpired: true });
  });
});

describe('bad links change nothing', () => {
  it('a wrong or malformed link, or accepting while still waiting, is refused', async () => {
    const event = await newEvent(1);
    await signedUp(event.id, 1);
    const token = await waits(event.id, 1);
    expect(await acceptOffer(t.db, 'x'.repeat(20), { now })).toEqual({ ok: false, reason: 'unknown' });
    expect(await acceptOffer(t.db, '<script>', { now })).toEqual({ ok: false, reason: 'unknown' });
    expect(await acceptOffer(t.db, token, { now })).toEqual({ ok: false, reason: 'not_offered' });
    expect(await declineOrLeave(t.db, 'y'.repeat(20), now)).toEqual({ ok: false, reason: 'unknown' });
    expect(await ledger(event.id)).toEqual({ counter: 1, registered: 1, offered: 0 });
    expect(await declineOrLeave(t.db, token, now)).toEqual({ ok: true, was: 'waiting' });
    expect(await declineOrLeave(t.db, token, now)).toEqual({ ok: false, reason: 'closed' });
  });
});

describe('racing cancellations, offers, declines and acceptances', () => {
  it('never gives a seat twice', async () => {
    const event = await newEvent(20);
    const cancelTokens = [];
    for (let i = 0; i < 10; i++) cancelTokens.push(await signedUp(event.id, 2));
    const waiting = [];
    for (let i = 0; i < 15; i++) waiting.push(await waits(event.id, 1 + (i % 3)));
    // Everything at once: each cancellation frees 2 seats and offers them; every family on the
    // list tries to accept (and some decline) while the offers are being made; a sign-up races too.
    const late = new Date(now.getTime() + 60_000);
    await Promise.all([
      ...cancelTokens.map((c) => cancelRegistration(t.db, c)),
      ...waiting.map((w, i) => (i % 4 === 3 ? declineOrLeave(t.db, w, late) : acceptOffer(t.db, w, { now: late }))),
      ...waiting.map((w) => acceptOffer(t.db, w, { now: late })),
      registerParty(t.db, event.id, party(2), { client: client(), now }),
      waitingListRound(t.db, late),
    ]);
    const after = await ledger(event.id);
    expect(after.counter).toBe(after.registered + after.offered);
    expect(after.counter).toBeLessThanOrEqual(20);
    const accepted = await t.db
      .selectFrom('wait_entry')
      .select('registration_id')
      .where('event_id', '=', event.id)
      .where('status', '=', 'accepted')
      .execute();
    expect(new Set(accepted.map((a) => a.registration_id)).size).toBe(accepted.length);
  }, 120_000);
});

/** Joins without confirming: the pending entry. */
async function join(eventId: number, p: Party, at = now) {
  const joined = await joinEventWaitlist(t.db, eventId, p, { client: client(), now: at });
  if (!joined.ok) throw new Error(joined.reason);
  return joined;
}
const holdStatus = async (id: number) => (await findWaitHold(t.db, id))?.status;
const kindsSentTo = async (phone: string) =>
  (await t.db.selectFrom('outbox').select('kind').where('recipient', '=', phone).orderBy('id').execute()).map(
    (r) => r.kind,
  );

describe('a join waits for its code (issue #13: the contact proven as for a sign-up)', () => {
  it('is pending, sends only the code, and is never offered seats until confirmed', async () => {
    const { id: eventId } = await newEvent(2);
    const signUp = await signedUp(eventId, 2);
    const p = party(2);
    const pending = await join(eventId, p);
    expect(await holdStatus(pending.id)).toBe('pending');
    expect(await kindsSentTo(p.phone!)).toEqual(['verification_code']);
    // Seats free up: the pending join is passed over, as if it were not there.
    await cancelRegistration(t.db, signUp);
    expect(await holdStatus(pending.id)).toBe('pending');
    const event = await t.db
      .selectFrom('event')
      .select('seats_taken')
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(event.seats_taken).toBe(0);
    // Confirmed: now in line, its "you are on the list" message replaces the code's, and the free seats are offered.
    const done = await confirmWaitEntry(t.db, pending.id, await latestCodeFromOutbox(t.db, p.phone!));
    expect(done).toMatchObject({ ok: true, alreadyConfirmed: false });
    expect(await holdStatus(pending.id)).toBe('offered');
    expect(await kindsSentTo(p.phone!)).toEqual(['waitlist_joined', 'waitlist_offer']);
  });

  it('takes its place in join order once confirmed, and a pending join counts in no position', async () => {
    const { id: eventId } = await newEvent(1);
    await signedUp(eventId, 1);
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
    const { id: eventId } = await newEvent(1);
    await signedUp(eventId, 1);
    const p = party(1);
    const pending = await join(eventId, p);
    const right = await latestCodeFromOutbox(t.db, p.phone!);
    const wrong = right === '000000' ? '111111' : '000000';
    const tries = [];
    for (let i = 0; i < 5; i++) tries.push(await confirmWaitEntry(t.db, pending.id, wrong));
    expect(tries.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'locked']);
    expect(await confirmWaitEntry(t.db, pending.id, right)).toEqual({ ok: false, reason: 'locked' });
    expect(await holdStatus(pending.id)).toBe('pending');
  });

  it('"send again" replaces the code: the old one no longer works', async () => {
    const { id: eventId } = await newEvent(1);
    await signedUp(eventId, 1);
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
    const { id: eventId } = await newEvent(1);
    await signedUp(eventId, 1);
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
    expect(await holdStatus(again.ok ? again.id : 0)).toBe('pending');
  });
});

describe('caps', () => {
  it('the per-contact cap counts pending joins too', async () => {
    const p = party(1);
    const ids = [];
    for (let i = 0; i < WAIT_LIMITS.perContact(); i++) {
      const { id: eventId } = await newEvent(1);
      await signedUp(eventId, 1);
      ids.push(eventId);
      expect((await joinEventWaitlist(t.db, eventId, p, { client: `cap-${i}`, now })).ok).toBe(true);
    }
    const { id: one } = await newEvent(1);
    await signedUp(one, 1);
    expect(await joinEventWaitlist(t.db, one, p, { client: 'cap-last', now })).toEqual({
      ok: false,
      reason: 'contact_limit',
    });
    expect(ids.length).toBe(WAIT_LIMITS.perContact());
  });
});
