// Pledges against the real database engine: quantities under concurrency, all-or-nothing pledges,
// cancelling, changing, expiry and erasure. PGlite by default, PostgreSQL with TEST_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { cancelPledge, expireUnkeptPledges, recordPledgeOutcome } from '#/features/campaign/close-pledge.ts';
import { changePledgeQuantities, findPledgeByToken } from '#/features/campaign/manage-pledge.ts';
import { createPledge, type NewPledge } from '#/features/campaign/create-pledge.ts';
import { eraseExpiredPledges } from '#/features/campaign/erase-pledges.ts';

let t: TestDatabase;
let windowId: number;
let windowEnd: Date;
const now = new Date('2026-11-24T10:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  const w = await t.db
    .selectFrom('collection_window')
    .select(['id', 'ends_at'])
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
  windowId = w.id;
  windowEnd = w.ends_at;
});
afterAll(() => t.close());

// A donor of their own each time (one contact holds one open pledge per window), unless given.
let donors = 0;
const pledge = (over: Partial<NewPledge>): NewPledge => ({
  campaignSlug: 'zaino-sospeso',
  lines: [{ item: 'zaino', quantity: 1 }],
  collectionWindowId: windowId,
  firstName: 'Luca',
  email: null,
  phone: `+39340${String(1000000 + donors++).slice(-7)}`,
  locale: 'it',
  submissionKey: null,
  ...over,
});

async function item(slug: string) {
  return t.db
    .selectFrom('campaign_item')
    .select(['target', 'pledged'])
    .where('slug', '=', slug)
    .executeTakeFirstOrThrow();
}

describe(`pledge quantities (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('an item with 10 still needed takes exactly 10 of 50 concurrent pledges of 1', async () => {
    // Target 40; one pledge takes at most 10 of it (25 %): three donors take 30.
    for (let i = 0; i < 3; i++)
      expect((await createPledge(t.db, pledge({ lines: [{ item: 'zaino', quantity: 10 }] }), now)).ok).toBe(true);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => createPledge(t.db, pledge({}), now)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(r).toEqual({ ok: false, reason: 'exceeds_remaining', remaining: { zaino: 0 } });
    expect(await item('zaino')).toEqual({ target: 40, pledged: 40 });
    const lines = await t.db
      .selectFrom('pledge_item')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .where('campaign_item.slug', '=', 'zaino')
      .select((eb) => eb.fn.sum<number>('quantity').as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(lines.n)).toBe(40);
  });

  it('a pledge of several items is all or nothing', async () => {
    const before = await item('astuccio');
    const outcome = await createPledge(
      t.db,
      pledge({
        lines: [
          { item: 'astuccio', quantity: 2 },
          { item: 'diario', quantity: 41 },
        ],
      }),
      now,
      // Any share, so that it is what remains that refuses the line (the share has its own tests).
      { maxShare: 1 },
    );
    expect(outcome).toEqual({ ok: false, reason: 'exceeds_remaining', remaining: { astuccio: 40, diario: 40 } });
    expect(await item('astuccio')).toEqual(before);
  });

  it('refuses unknown items, bad quantities and windows of another campaign or in the past', async () => {
    expect(await createPledge(t.db, pledge({ lines: [{ item: 'laptop', quantity: 1 }] }), now)).toMatchObject({
      reason: 'invalid_items',
    });
    expect(await createPledge(t.db, pledge({ lines: [{ item: 'colla', quantity: -1 }] }), now)).toMatchObject({
      reason: 'invalid_items',
    });
    expect(await createPledge(t.db, pledge({ lines: [{ item: 'colla', quantity: 1.5 }] }), now)).toMatchObject({
      reason: 'invalid_items',
    });
    expect(await createPledge(t.db, pledge({ lines: [] }), now)).toMatchObject({ reason: 'invalid_items' });
    expect(await createPledge(t.db, pledge({ collectionWindowId: 999999 }), now)).toMatchObject({
      reason: 'invalid_window',
    });
    expect(
      await createPledge(
        t.db,
        pledge({ lines: [{ item: 'colla', quantity: 1 }] }),
        new Date(windowEnd.getTime() + 1000),
      ),
    ).toMatchObject({ reason: 'invalid_window' });
  });

  it('the same form submitted twice pledges once', async () => {
    const outcomes = await Promise.all(
      [1, 2, 3].map(() =>
        createPledge(
          t.db,
          pledge({ lines: [{ item: 'colla', quantity: 5 }], submissionKey: 'same-form', phone: '+393401119999' }),
          now,
        ),
      ),
    );
    expect(new Set(outcomes.map((o) => (o.ok ? o.pledge.reference : 'refused'))).size).toBe(1);
    expect((await item('colla')).pledged).toBe(5);
  });
});

describe('submission keys', () => {
  it("a key reused by another donor returns nothing of the first donor's pledge", async () => {
    const first = await createPledge(
      t.db,
      pledge({ lines: [{ item: 'colla', quantity: 1 }], submissionKey: 'copied-key', phone: '+393401110001' }),
      now,
    );
    const other = await createPledge(
      t.db,
      pledge({ lines: [{ item: 'colla', quantity: 1 }], submissionKey: 'copied-key', phone: '+393409990001' }),
      now,
    );
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(other).toMatchObject({ ok: true, duplicate: false });
    expect(other.ok && first.ok && other.pledge.reference).not.toBe(first.ok && first.pledge.reference);
    expect(
      await createPledge(
        t.db,
        pledge({ lines: [{ item: 'colla', quantity: 1 }], submissionKey: 'copied-key', phone: '+393401110001' }),
        now,
      ),
    ).toMatchObject({ ok: true, duplicate: true });
  });
});

describe('the life of a pledge', () => {
  it('can be changed and cancelled by the donor, giving quantities back at once', async () => {
    const made = await createPledge(
      t.db,
      // A phone of its own: this file pledges many times with the default one, past its daily message cap.
      pledge({ lines: [{ item: 'pastelli', quantity: 3 }], email: 'donor@example.org', phone: '+393401118888' }),
      now,
    );
    if (!made.ok) throw new Error('refused');
    expect(made.pledge.reference).toMatch(/^ZS-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
    let mine = (await findPledgeByToken(t.db, made.manageToken!))!;
    expect(mine.lines).toEqual([{ itemId: expect.any(Number), item: 'pastelli', quantity: 3 }]);
    expect(
      await changePledgeQuantities(t.db, mine, [
        { item: 'pastelli', quantity: 1 },
        { item: 'forbici', quantity: 2 },
      ]),
    ).toEqual({ ok: true });
    expect((await item('pastelli')).pledged).toBe(1);
    expect((await item('forbici')).pledged).toBe(2);
    mine = (await findPledgeByToken(t.db, made.manageToken!))!;
    expect(await changePledgeQuantities(t.db, mine, [{ item: 'pastelli', quantity: 61 }], 1)).toMatchObject({
      ok: false,
      reason: 'exceeds_remaining',
    });
    expect(await cancelPledge(t.db, mine.id, now)).toBe(true);
    expect(await cancelPledge(t.db, mine.id, now)).toBe(false);
    expect((await item('pastelli')).pledged).toBe(0);
    expect((await item('forbici')).pledged).toBe(0);
    // The donor gave a mobile too: the confirmation and the reminder also go by SMS.
    const messages = await t.db
      .selectFrom('outbox')
      .select(['kind', 'channel', 'status'])
      .where('pledge_id', '=', mine.id)
      .orderBy('id')
      .execute();
    expect(messages).toEqual([
      { kind: 'pledge_confirmation', channel: 'sms', status: 'pending' },
      { kind: 'pledge_reminder', channel: 'sms', status: 'cancelled' },
      { kind: 'pledge_confirmation', channel: 'email', status: 'pending' },
      { kind: 'pledge_reminder', channel: 'email', status: 'cancelled' },
      { kind: 'pledge_cancelled', channel: 'email', status: 'pending' },
    ]);
  });

  it('keeps received quantities and expires unkept pledges after the grace period', async () => {
    const kept = await createPledge(t.db, pledge({ lines: [{ item: 'quaderni-righe', quantity: 10 }] }), now);
    const unkept = await createPledge(t.db, pledge({ lines: [{ item: 'quaderni-righe', quantity: 7 }] }), now);
    if (!kept.ok || !unkept.ok) throw new Error('refused');
    expect(await recordPledgeOutcome(t.db, kept.pledge.id, 'received', now)).toBe(true);
    expect(await expireUnkeptPledges(t.db, new Date(windowEnd.getTime() + 47 * 3600000))).toBe(0);
    expect((await item('quaderni-righe')).pledged).toBe(17);
    expect(await expireUnkeptPledges(t.db, new Date(windowEnd.getTime() + 49 * 3600000))).toBeGreaterThan(0);
    expect((await item('quaderni-righe')).pledged).toBe(10);
    const status = await t.db
      .selectFrom('pledge')
      .select('status')
      .where('id', '=', unkept.pledge.id)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe('expired');
  });

  it('erases donors 60 days after the collection window and keeps the totals', async () => {
    const totalBefore = await t.db
      .selectFrom('campaign_item')
      .select((eb) => eb.fn.sum<number>('pledged').as('n'))
      .executeTakeFirstOrThrow();
    expect(await eraseExpiredPledges(t.db, new Date(windowEnd.getTime() + 59 * 86400000))).toBe(0);
    expect(await eraseExpiredPledges(t.db, new Date(windowEnd.getTime() + 61 * 86400000))).toBeGreaterThan(0);
    const left = await t.db
      .selectFrom('pledge')
      .select(['first_name', 'email', 'phone'])
      .where('collection_window_id', '=', windowId)
      .where('erased_at', 'is', null)
      .execute();
    expect(left).toEqual([]);
    const totalAfter = await t.db
      .selectFrom('campaign_item')
      .select((eb) => eb.fn.sum<number>('pledged').as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(totalAfter.n)).toBe(Number(totalBefore.n));
  });
});
