// The per-process copies of desks and campaigns (src/features/booking/desk-cache.ts and src/features/campaign/pledge-setup-cache.ts, on the store of src/server/cache/write-cache.ts): what the booking
// and pledge APIs cost in statements once they are warm, which invalidations drop a desk, that a
// load overtaken by an invalidation is not kept, and that a campaign reloads for a name it does
// not know. Tags are announced the way invalidateLiveData does (invalidateSubscribers), with the
// tags the staff desk-settings page invalidates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely, KyselyPlugin } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import type { Database } from '#/server/db/database.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { guardPublicWrite } from '#/server/http/request-guard.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { invalidateSubscribers } from '#/server/cache/cache-bus.ts';
import { cachedDeskCount, exceptionsFrom, getCachedDesk } from '#/features/booking/desk-cache.ts';
import { getPledgeSetup } from '#/features/campaign/pledge-setup-cache.ts';
import { romeToInstant } from '#/lib/time.ts';

let t: TestDatabase;
let db: Kysely<Database>;
let statements = 0;
const now = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  // Every statement Kysely sends through this handle is counted (BEGIN and COMMIT are not: the
  // driver sends them itself).
  const counting: KyselyPlugin = {
    transformQuery: (args) => {
      statements++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  db = t.db.withPlugin(counting);
  await getServerSecret(db);
});
afterAll(() => t.close());

const counted = async <T>(work: () => Promise<T>): Promise<{ value: T; statements: number }> => {
  const before = statements;
  const value = await work();
  return { value, statements: statements - before };
};
const deskTags = (slug: string) => ['desks', `desk:${slug}`, `slots:${slug}`];

describe('desk copy', () => {
  it('books in 2 statements once the desk is warm: the rate limits, then the place with the booking (no email)', async () => {
    const first = await counted(() => getCachedDesk(db, 'quarto-oggiaro'));
    expect(first.statements).toBe(4); // desk, hours, closures, extra openings
    const cached = await counted(() => getCachedDesk(db, 'quarto-oggiaro'));
    expect(cached.statements).toBe(0);
    const { desk } = cached.value!;
    const booking = await counted(async () => {
      const limit = await guardPublicWrite(db, 'booking', '203.0.113.9', '+390221112222');
      expect(limit.allowed).toBe(true);
      return createBooking(
        db,
        {
          desk,
          start: romeToInstant(2026, 12, 15, 10, 0),
          firstName: 'Amina',
          email: null,
          phone: '+390221112222',
          topic: null,
          note: null,
          locale: 'it',
          submissionKey: 'cache-1',
          source: 'api',
        },
        now,
        { knownExceptions: (from, to) => exceptionsFrom(cached.value, from, to) },
      );
    });
    expect(booking.value).toMatchObject({ ok: true, duplicate: false });
    expect(booking.statements).toBe(2);
    // The same form again: refused by the key's UNIQUE, then looked up; the place is given back.
    const again = await createBooking(
      db,
      {
        desk,
        start: romeToInstant(2026, 12, 15, 10, 0),
        firstName: 'Amina',
        email: null,
        phone: '+390221112222',
        topic: null,
        note: null,
        locale: 'it',
        submissionKey: 'cache-1',
        source: 'api',
      },
      now,
      { knownExceptions: (from, to) => exceptionsFrom(cached.value, from, to) },
    );
    expect(again).toMatchObject({
      ok: true,
      duplicate: true,
      booking: { id: booking.value.ok ? booking.value.booking.id : -1 },
    });
    // With an email the outbox rows need the transaction: the place with the booking in one
    // statement, then the recipient's daily cap with confirmation and reminder in one more.
    const withEmail = await counted(() =>
      createBooking(
        db,
        {
          desk,
          start: romeToInstant(2026, 12, 15, 11, 30),
          firstName: 'Amina',
          email: 'amina@example.org',
          phone: null,
          topic: null,
          note: null,
          locale: 'it',
          submissionKey: null,
          source: 'api',
        },
        now,
        { knownExceptions: (from, to) => exceptionsFrom(cached.value, from, to) },
      ),
    );
    expect(withEmail.value).toMatchObject({ ok: true, duplicate: false });
    expect(withEmail.statements).toBe(2);
  });

  it('is dropped by the desk tags staff changes invalidate, not by a booking’s slots tag', async () => {
    const before = (await getCachedDesk(db, 'quarto-oggiaro'))!.desk;
    expect(before.hours).toEqual([{ weekday: 2, opens: '10:00', closes: '13:00' }]);
    // A staff change of hours (what replaceWeeklyHours writes), then its invalidation.
    await t.db
      .updateTable('desk_opening_hours')
      .set({ weekday: 4, opens: '15:00', closes: '17:00' })
      .where('desk_id', '=', before.id)
      .execute();
    invalidateSubscribers(['slots:quarto-oggiaro']);
    expect((await getCachedDesk(db, 'quarto-oggiaro'))!.desk.hours).toEqual(before.hours);
    invalidateSubscribers(deskTags('quarto-oggiaro'));
    const after = (await getCachedDesk(db, 'quarto-oggiaro'))!.desk;
    expect(after.hours).toEqual([{ weekday: 4, opens: '15:00', closes: '17:00' }]);
    // The next booking is checked against the new hours: the old Tuesday is not offered any more.
    const cached = (await getCachedDesk(db, 'quarto-oggiaro'))!;
    const old = await createBooking(
      db,
      {
        desk: cached.desk,
        start: romeToInstant(2026, 12, 15, 11, 0),
        firstName: 'Amina',
        email: null,
        phone: '+390221112223',
        topic: null,
        note: null,
        locale: 'it',
        submissionKey: null,
        source: 'api',
      },
      now,
      { knownExceptions: (from, to) => exceptionsFrom(cached, from, to) },
    );
    expect(old).toMatchObject({ ok: false, reason: 'slot_unavailable' });

    // A closure, added and announced with the desk's own tag only.
    await t.db.insertInto('desk_closure').values({ desk_id: after.id, day: '2026-12-17', reason: null }).execute();
    invalidateSubscribers(['desk:quarto-oggiaro']);
    const closed = (await getCachedDesk(db, 'quarto-oggiaro'))!;
    expect(exceptionsFrom(closed, '2026-12-17', '2026-12-17')?.closures.has('2026-12-17')).toBe(true);
    // Days before the copy's start are not answered from it.
    expect(exceptionsFrom(closed, '2020-01-01', '2020-01-02')).toBeUndefined();
  });

  it('does not keep a load that an invalidation overtook, nor unknown desks', async () => {
    invalidateSubscribers(['desks']);
    const loading = getCachedDesk(db, 'gallaratese');
    invalidateSubscribers(['desk:gallaratese']);
    expect((await loading)?.desk.slug).toBe('gallaratese');
    expect((await counted(() => getCachedDesk(db, 'gallaratese'))).statements).toBe(4);
    expect((await counted(() => getCachedDesk(db, 'gallaratese'))).statements).toBe(0);
    const sizeBefore = cachedDeskCount(db);
    expect(await getCachedDesk(db, 'no-such-desk')).toBeUndefined();
    expect(await getCachedDesk(db, '../etc')).toBeUndefined();
    expect(cachedDeskCount(db)).toBe(sizeBefore);
  });
});

describe('campaign copy', () => {
  it('pledges one line without email in one statement, reloads for an item it does not know, and never trusts quantities', async () => {
    const setup = (await getPledgeSetup(db, 'zaino-sospeso'))!;
    const window = setup.dropOffPoints.flatMap((p) => p.windows).find((w) => w.endsAt > now)!;
    // A donor of their own each time (one open pledge per contact and window).
    let donors = 0;
    const pledge = (item: string, quantity: number, campaign = setup, at = now) =>
      createPledge(
        db,
        {
          campaignSlug: 'zaino-sospeso',
          lines: [{ item, quantity }],
          collectionWindowId: window.id,
          firstName: 'Amina',
          email: null,
          phone: `+3902211${String(12224 + donors++)}`,
          locale: 'it',
          submissionKey: null,
        },
        at,
        { campaign },
      );
    const first = await counted(() => pledge(setup.items[0]!.slug, 1));
    expect(first.value).toMatchObject({ ok: true });
    expect(first.statements).toBe(1); // window checked, counter raised, pledge row and its line, together

    // An item added by staff: the copy does not know it until reloaded.
    const campaignId = setup.id;
    await t.db
      .insertInto('campaign_item')
      .values({
        campaign_id: campaignId,
        slug: 'righello',
        name: JSON.stringify({ it: 'Righello' }),
        target: 2,
        position: 99,
      })
      .execute();
    expect((await getPledgeSetup(db, 'zaino-sospeso'))!.items.some((i) => i.slug === 'righello')).toBe(false);
    const fresh = (await getPledgeSetup(db, 'zaino-sospeso', { fresh: true }))!;
    expect(fresh.items.some((i) => i.slug === 'righello')).toBe(true);
    expect((await getPledgeSetup(db, 'zaino-sospeso'))!.items.some((i) => i.slug === 'righello')).toBe(true);
    // Quantities come from the counters, whatever the copy.
    const results = await Promise.all([1, 2, 3, 4].map(() => pledge('righello', 1, fresh)));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: 'exceeds_remaining', remaining: { righello: 0 } },
      { ok: false, reason: 'exceeds_remaining', remaining: { righello: 0 } },
    ]);
    // A window that ended is refused by the insert itself, even if the caller thinks it open.
    expect(await pledge(setup.items[0]!.slug, 1, setup, new Date(window.endsAt.getTime() + 1000))).toEqual({
      ok: false,
      reason: 'invalid_window',
    });
  });
});
