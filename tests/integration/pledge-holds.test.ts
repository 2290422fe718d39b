// Pending pledges and their codes against the real database engine (issue #12): a pledge from the
// site or the API holds its quantities (counted as taken, so nobody overpledges) until the code
// sent to its contact confirms it; the confirmation and the manage link come only then; a lapsed
// hold gives its quantities back at read time, to the next pledge that needs them and through
// housekeeping, and drops its personal data; one client holds at most 3 unconfirmed pledges; and
// racing pledges, confirmations and expiries never exceed an item's target. PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getCampaign } from '#/features/campaign/campaigns.ts';
import { createPledge, type NewPledge } from '#/features/campaign/create-pledge.ts';
import { confirmPledgeHold, releaseLapsedPledgeHolds, resendPledgeCode } from '#/features/campaign/pledge-holds.ts';

let t: TestDatabase;
let windows: number[];
const now = new Date('2026-11-24T10:00:00Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60000);

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  windows = (await t.db.selectFrom('collection_window').select('id').orderBy('starts_at').execute()).map((w) => w.id);
});
afterAll(() => t.close());

let phones = 0;
const freshPhone = () => `+39333${String(++phones).padStart(7, '0')}`;
const pledge = (over: Partial<NewPledge>): NewPledge => ({
  campaignSlug: 'zaino-sospeso',
  lines: [{ item: 'zaino', quantity: 1 }],
  collectionWindowId: windows[0]!,
  firstName: 'Amina',
  email: null,
  phone: freshPhone(),
  locale: 'ar',
  submissionKey: null,
  ...over,
});
const hold = (over: Partial<NewPledge>, client = `client-${phones}`, at = now) =>
  createPledge(t.db, pledge(over), at, { hold: { client } });

/** An item as the database counts it, and as the campaign page reads it at `at`. */
async function item(slug: string, at = now) {
  const row = await t.db
    .selectFrom('campaign_item')
    .select(['target', 'pledged'])
    .where('slug', '=', slug)
    .executeTakeFirstOrThrow();
  const read = (await getCampaign(t.db, 'zaino-sospeso', at))!.items.find((i) => i.slug === slug)!;
  return { target: row.target, counter: row.pledged, remaining: read.remaining };
}

const outboxKinds = async (pledgeId: number) =>
  (
    await t.db
      .selectFrom('outbox')
      .select(['kind', 'channel'])
      .where('pledge_id', '=', pledgeId)
      .where('status', '!=', 'cancelled')
      .orderBy('id')
      .execute()
  ).map((r) => `${r.kind}/${r.channel}`);

const idOf = (outcome: Awaited<ReturnType<typeof hold>>) => {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.pledge.id;
};

describe(`pledge holds and codes (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('counts a pending pledge as taken, and confirms it only with its code, which works once', async () => {
    const before = await item('astuccio');
    const phone = freshPhone();
    const made = await hold({ lines: [{ item: 'astuccio', quantity: 3 }], phone, email: 'amina@example.org' });
    expect(made).toMatchObject({ ok: true, manageToken: null, hold: { channel: 'sms', expiresAt: later(30) } });
    const id = idOf(made);
    // Taken at once: the counter and the page both say 3 fewer are needed.
    expect(await item('astuccio')).toEqual({ ...before, counter: before.counter + 3, remaining: before.remaining - 3 });
    // Only the code went (by SMS to the mobile): no confirmation, reminder or manage link yet.
    expect(await outboxKinds(id)).toEqual(['verification_code/sms']);
    const row = await t.db.selectFrom('pledge').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', manage_token_hash: null });

    const code = await latestCodeFromOutbox(t.db, phone);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await confirmPledgeHold(t.db, id, wrong, { now: later(1) })).toEqual({
      ok: false,
      reason: 'wrong',
      triesLeft: 4,
    });
    const confirmed = await confirmPledgeHold(t.db, id, code, { now: later(2) });
    expect(confirmed).toMatchObject({ ok: true, alreadyConfirmed: false });
    expect(confirmed.ok && confirmed.manageToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await outboxKinds(id)).toEqual([
      'pledge_confirmation/sms',
      'pledge_reminder/sms',
      'pledge_confirmation/email',
      'pledge_reminder/email',
    ]);
    const open = await t.db.selectFrom('pledge').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(open).toMatchObject({ status: 'pledged', hold_expires_at: null, hold_client: null });
    expect(open.manage_token_hash).not.toBeNull();
    // Still counted once; the code is spent.
    expect(await item('astuccio')).toEqual({ ...before, counter: before.counter + 3, remaining: before.remaining - 3 });
    expect(await confirmPledgeHold(t.db, id, code, { now: later(3) })).toMatchObject({
      ok: true,
      alreadyConfirmed: true,
      manageToken: null,
    });
  });

  it('locks a hold after 5 wrong codes; send again a minute apart, email instead at once', async () => {
    const phone = freshPhone();
    const id = idOf(await hold({ phone }));
    const code = await latestCodeFromOutbox(t.db, phone);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 4; i >= 1; i--)
      expect(await confirmPledgeHold(t.db, id, wrong, { now: later(1) })).toEqual({
        ok: false,
        reason: 'wrong',
        triesLeft: i,
      });
    expect(await confirmPledgeHold(t.db, id, wrong, { now: later(1) })).toEqual({ ok: false, reason: 'locked' });
    expect(await confirmPledgeHold(t.db, id, code, { now: later(1) })).toEqual({ ok: false, reason: 'locked' });

    const other = freshPhone();
    const second = idOf(await hold({ phone: other }));
    expect(await resendPledgeCode(t.db, second, { now: later(0.5) })).toMatchObject({ reason: 'too_soon' });
    expect(await resendPledgeCode(t.db, second, { now: later(1) })).toEqual({ ok: true, channel: 'sms' });
    expect(await resendPledgeCode(t.db, second, { now: later(1.1), toEmail: 'nadia@example.org' })).toEqual({
      ok: true,
      channel: 'email',
    });
    const byEmail = await latestCodeFromOutbox(t.db, 'nadia@example.org');
    expect(await confirmPledgeHold(t.db, second, byEmail, { now: later(2) })).toMatchObject({ ok: true });
    // The confirmation goes to the email added for the code too.
    expect(await outboxKinds(second)).toContain('pledge_confirmation/email');
  });

  it('gives a lapsed hold back at read time, to the next pledge that needs it, and through housekeeping', async () => {
    const before = await item('quaderni-quadretti');
    const phone = freshPhone();
    const id = idOf(await hold({ lines: [{ item: 'quaderni-quadretti', quantity: 5 }], phone }));
    expect((await item('quaderni-quadretti', later(29))).remaining).toBe(before.remaining - 5);
    // 31 minutes on: read as given back already, although nothing has released it yet.
    expect(await item('quaderni-quadretti', later(31))).toEqual({
      ...before,
      counter: before.counter + 5,
      remaining: before.remaining,
    });
    expect(await confirmPledgeHold(t.db, id, await latestCodeFromOutbox(t.db, phone), { now: later(31) })).toEqual({
      ok: false,
      reason: 'expired',
    });
    // Released once (with the other holds of this file that lapsed by then), never twice.
    expect(await releaseLapsedPledgeHolds(t.db, later(31))).toBeGreaterThanOrEqual(1);
    expect(await releaseLapsedPledgeHolds(t.db, later(32))).toBe(0);
    expect(await item('quaderni-quadretti', later(31))).toEqual(before);
    // Its personal data, its code and its messages are gone.
    const row = await t.db.selectFrom('pledge').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'lapsed', first_name: null, phone: null, email: null, hold_client: null });
    expect(
      await t.db.selectFrom('verification_code').select('pledge_id').where('pledge_id', '=', id).execute(),
    ).toEqual([]);
    expect(await outboxKinds(id)).toEqual([]);

    // Holds that lapsed hold all that is left of an item: a new pledge takes their place.
    const { target, counter } = await item('zaino');
    const left = target - counter;
    const takers: number[] = [];
    for (let n = left; n > 0; n -= Math.min(n, 10))
      takers.push(idOf(await hold({ lines: [{ item: 'zaino', quantity: Math.min(n, 10) }] }, `taker-${n}`)));
    expect((await item('zaino')).remaining).toBe(0);
    expect(await hold({}, 'late-donor', later(10))).toMatchObject({ ok: false, reason: 'exceeds_remaining' });
    const late = await hold({}, 'late-donor', later(31));
    expect(late).toMatchObject({ ok: true });
    expect((await item('zaino', later(31))).counter).toBe(counter + 1);
    const statuses = await t.db.selectFrom('pledge').select('status').where('id', 'in', takers).execute();
    expect(statuses.every((s) => s.status === 'lapsed')).toBe(true);
  });

  it('lets one client address hold at most 3 unconfirmed pledges at once (a flood with invented numbers)', async () => {
    const client = 'flooding-client';
    const at = later(100);
    const before = await item('astuccio', at);
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await hold({ lines: [{ item: 'astuccio', quantity: 1 }] }, client, at));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.reason)).toEqual(Array(7).fill('too_many_holds'));
    expect((await item('astuccio', at)).remaining).toBe(before.remaining - 3);
    // Concurrent requests from the same client: still 3 in all (the client's advisory lock).
    const racing = await Promise.all(
      Array.from({ length: 10 }, () => hold({ lines: [{ item: 'astuccio', quantity: 1 }] }, 'racing-client', at)),
    );
    expect(racing.filter((o) => o.ok)).toHaveLength(3);
    // Once they lapse, they come back, and the client may hold again.
    const afterwards = new Date(at.getTime() + 31 * 60000);
    expect((await item('astuccio', afterwards)).remaining).toBe(before.remaining);
    expect(await hold({}, client, afterwards)).toMatchObject({ ok: true });
  });

  it('keeps one open pledge per contact and window, pending ones included; pledging again from the same browser replaces the hold', async () => {
    const phone = freshPhone();
    const at = later(300);
    const first = idOf(await hold({ phone, lines: [{ item: 'astuccio', quantity: 2 }] }, 'back-button', at));
    const before = await item('astuccio', at);
    // Someone else typing the same phone releases nothing: the donor's hold stays, the new one is refused.
    expect(await hold({ phone, lines: [{ item: 'astuccio', quantity: 1 }] }, 'someone-else', at)).toMatchObject({
      ok: false,
      reason: 'open_pledge',
    });
    expect((await item('astuccio', at)).counter).toBe(before.counter);
    // The donor went back and pledged again (their browser names its earlier hold): given back, the new one holds.
    const second = idOf(
      await createPledge(t.db, pledge({ phone, lines: [{ item: 'astuccio', quantity: 1 }] }), at, {
        hold: { client: 'back-button', replaces: first },
      }),
    );
    expect((await item('astuccio', at)).counter).toBe(before.counter - 1);
    const rows = await t.db.selectFrom('pledge').select(['id', 'status']).where('id', 'in', [first, second]).execute();
    expect(new Map(rows.map((r) => [r.id, r.status]))).toEqual(
      new Map([
        [first, 'lapsed'],
        [second, 'pending'],
      ]),
    );
    // Confirmed, the contact's pledge for this window is the one open pledge: another is refused.
    await confirmPledgeHold(t.db, second, await latestCodeFromOutbox(t.db, phone), { now: at });
    expect(await hold({ phone }, 'back-button', at)).toMatchObject({ ok: false, reason: 'open_pledge' });
  });

  it('never exceeds a target with 200 racing pledges, confirmations and expiries', async () => {
    const slug = 'colla';
    const at = later(1000);
    const { target, counter: start } = await item(slug, at);
    // Four waves, 15 minutes apart: a wave finds the holds of two waves before it lapsed.
    const madeAt = (i: number) => new Date(at.getTime() + (i % 4) * 15 * 60000);
    // Each wave of 50 races at once; waves follow each other as their times do.
    const made = [];
    for (let wave = 0; wave < 4; wave++)
      made.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, (_, j) => {
            const i = j * 4 + wave;
            return hold(
              { lines: [{ item: slug, quantity: 1 + (i % 2) }], collectionWindowId: windows[i % windows.length]! },
              `racer-${i}`,
              madeAt(i),
            ).then((o) => [i, o] as const);
          }),
        )),
      );
    expect(made.filter(([, o]) => o.ok).length).toBeGreaterThan(0);
    expect(made.filter(([, o]) => !o.ok).map(([, o]) => !o.ok && o.reason)).toContain('exceeds_remaining');
    // Every third hold is confirmed a minute after it was made, while housekeeping releases the lapsed ones, all at once.
    const codes = [];
    for (const [i, o] of made) {
      if (!o.ok || i % 3 !== 0) continue;
      const row = await t.db
        .selectFrom('pledge')
        .select('phone')
        .where('id', '=', o.pledge.id)
        .executeTakeFirstOrThrow();
      // A later wave that found no room released the holds lapsed by its time: nothing to confirm.
      if (row.phone)
        codes.push({
          id: o.pledge.id,
          code: await latestCodeFromOutbox(t.db, row.phone),
          now: later(1000 + 1 + (i % 4) * 15),
        });
    }
    const end = new Date(at.getTime() + 60 * 60000);
    const confirmed = await Promise.all([
      ...codes.map(({ id, code, now: when }) => confirmPledgeHold(t.db, id, code, { now: when })),
      releaseLapsedPledgeHolds(t.db, new Date(at.getTime() + 40 * 60000)),
      releaseLapsedPledgeHolds(t.db, end),
    ]);
    expect(confirmed.some((c) => typeof c === 'object' && c.ok)).toBe(true);
    await releaseLapsedPledgeHolds(t.db, new Date(end.getTime() + 31 * 60000));
    const { counter } = await item(slug, end);
    expect(counter).toBeLessThanOrEqual(target);
    // The counter is exactly what the open pledges promise: nothing lost, nothing counted twice.
    const open = await t.db
      .selectFrom('pledge_item')
      .innerJoin('pledge', 'pledge.id', 'pledge_item.pledge_id')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('pledge_item.quantity'), eb.lit(0)).as('n'))
      .where('campaign_item.slug', '=', slug)
      .where('pledge.status', 'in', ['pledged', 'pending', 'received'])
      .executeTakeFirstOrThrow();
    expect(counter).toBe(Number(open.n));
    expect(counter).toBeGreaterThan(start);
  });

  it("holds at most one pledge's share of an item per client address, however many contacts it invents", async () => {
    // The drain: 3 holds × 25 % each kept 75 % of every item on hold from one address, renewed as
    // they lapsed. Now all of an address's unconfirmed pledges hold at most one share (10 of 40).
    const at = later(1200);
    const before = await item('diario', at);
    expect(before.target).toBe(40);
    const first = await hold({ lines: [{ item: 'diario', quantity: 10 }] }, 'drainer', at);
    const firstId = idOf(first);
    const again = [];
    for (let i = 0; i < 4; i++) again.push(await hold({ lines: [{ item: 'diario', quantity: 10 }] }, 'drainer', at));
    again.push(await hold({ lines: [{ item: 'diario', quantity: 1 }] }, 'drainer', at));
    // A pledge of several lines is refused whole, naming only the item over the share.
    again.push(
      await hold(
        {
          lines: [
            { item: 'diario', quantity: 1 },
            { item: 'pastelli', quantity: 1 },
          ],
        },
        'drainer',
        at,
      ),
    );
    for (const o of again) expect(o).toEqual({ ok: false, reason: 'client_share', maxPerClient: { diario: 10 } });
    // A line above one pledge's share is refused as that, as from anyone (asking again cannot help).
    expect(await hold({ lines: [{ item: 'diario', quantity: 11 }] }, 'drainer', at)).toMatchObject({
      reason: 'exceeds_share',
    });
    expect((await item('diario', at)).counter).toBe(before.counter + 10);
    expect((await item('pastelli', at)).remaining).toBe((await item('pastelli', at)).target);
    // Its other items are still open to it, within the holds per client.
    expect(await hold({ lines: [{ item: 'pastelli', quantity: 10 }] }, 'drainer', at)).toMatchObject({ ok: true });
    // Another address still pledges the same item.
    expect(await hold({ lines: [{ item: 'diario', quantity: 10 }] }, 'neighbour', at)).toMatchObject({ ok: true });
    expect((await item('diario', at)).counter).toBe(before.counter + 20);
    // The same browser pledging again gives its earlier hold back: its new pledge may take the share.
    const replaced = await createPledge(t.db, pledge({ lines: [{ item: 'diario', quantity: 10 }] }), at, {
      hold: { client: 'drainer', replaces: firstId },
    });
    expect(replaced).toMatchObject({ ok: true });
    expect((await item('diario', at)).counter).toBe(before.counter + 20);
    // Once its holds lapse the address may hold a share again — never more at once.
    const afterwards = new Date(at.getTime() + 31 * 60000);
    expect(await hold({ lines: [{ item: 'diario', quantity: 10 }] }, 'drainer', afterwards)).toMatchObject({
      ok: true,
    });
    expect(await hold({ lines: [{ item: 'diario', quantity: 1 }] }, 'drainer', afterwards)).toMatchObject({
      reason: 'client_share',
    });
  });

  it("never lets one client address's racing pledges hold more than the share", async () => {
    const at = later(1300);
    const before = await item('forbici', at);
    const racing = await Promise.all(
      Array.from({ length: 10 }, () => hold({ lines: [{ item: 'forbici', quantity: 4 }] }, 'racing-drainer', at)),
    );
    // 4 + 4 fit in the share of 10, a third does not: exactly two, whatever the order.
    expect(racing.filter((o) => o.ok)).toHaveLength(2);
    expect(racing.filter((o) => !o.ok).map((o) => !o.ok && o.reason)).toEqual(Array(8).fill('client_share'));
    const held = await t.db
      .selectFrom('pledge_item')
      .innerJoin('pledge', 'pledge.id', 'pledge_item.pledge_id')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('pledge_item.quantity'), eb.lit(0)).as('n'))
      .where('campaign_item.slug', '=', 'forbici')
      .where('pledge.hold_client', '=', 'racing-drainer')
      .where('pledge.status', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(Number(held.n)).toBe(8);
    expect((await item('forbici', at)).counter).toBe(before.counter + 8);
  });
});
