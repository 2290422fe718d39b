// Issue #12: the campaign cannot be drained. One pledge takes at most PLEDGE_MAX_SHARE (25 %) of an
// item, one contact (a phone, or an address without its +tag) holds at most one open pledge per
// collection window — both decided by the database in the statement or transaction that writes,
// under 200 concurrent pledges. PGlite by default, PostgreSQL with TEST_DATABASE_URL.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import * as contactKeysMigration from '../../db/migrations/2026_12_05_0300_contact_keys.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { contactKey } from '#/lib/contact.ts';
import { maxPerPledge } from '#/features/campaign/campaigns.ts';
import { cancelPledge } from '#/features/campaign/close-pledge.ts';
import { changePledgeQuantities, findPledgeByToken } from '#/features/campaign/manage-pledge.ts';
import { createPledge, type NewPledge, type PledgeOutcome } from '#/features/campaign/create-pledge.ts';

let t: TestDatabase;
let windows: number[];
const now = new Date('2026-11-24T10:00:00Z');
const SHARE = 0.25;

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  windows = (await t.db.selectFrom('collection_window').select('id').orderBy('starts_at').execute()).map((w) => w.id);
});
afterAll(() => t.close());

const pledge = (over: Partial<NewPledge>): NewPledge => ({
  campaignSlug: 'zaino-sospeso',
  lines: [{ item: 'zaino', quantity: 1 }],
  collectionWindowId: windows[0]!,
  firstName: 'Luca',
  email: null,
  phone: null,
  locale: 'it',
  submissionKey: null,
  ...over,
});
const make = (over: Partial<NewPledge>) => createPledge(t.db, pledge(over), now, { maxShare: SHARE });

async function items() {
  const rows = await t.db.selectFrom('campaign_item').select(['slug', 'target', 'pledged']).execute();
  return new Map(rows.map((r) => [r.slug, r]));
}

async function openPledges() {
  return t.db
    .selectFrom('pledge')
    .select(['id', 'collection_window_id', 'phone', 'email'])
    .where('status', '=', 'pledged')
    .execute();
}

describe(`no one can drain the campaign (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('refuses one request asking for everything (the attack: all 600 items at once), and changes nothing', async () => {
    const before = await items();
    const everything = [...before.values()].map((i) => ({ item: i.slug, quantity: i.target }));
    expect(everything.reduce((n, l) => n + l.quantity, 0)).toBe(600);
    const outcome = await make({ lines: everything, email: 'hoarder@example.org' });
    expect(outcome).toEqual({
      ok: false,
      reason: 'exceeds_share',
      maxPerPledge: Object.fromEntries([...before.values()].map((i) => [i.slug, maxPerPledge(i.target, SHARE)])),
    });
    expect(await items()).toEqual(before);
    expect(await openPledges()).toEqual([]);
    // One line, phone only (the one-statement path): refused the same way.
    expect(await make({ lines: [{ item: 'zaino', quantity: 11 }], phone: '+393331110000' })).toMatchObject({
      reason: 'exceeds_share',
      maxPerPledge: { zaino: 10 },
    });
    expect(await items()).toEqual(before);
  });

  it('takes up to the share: 10 of a target of 40, 37 of 150', async () => {
    expect(maxPerPledge(40, SHARE)).toBe(10);
    expect(maxPerPledge(150, SHARE)).toBe(37);
    expect(maxPerPledge(3, SHARE)).toBe(1);
    const made = await make({
      lines: [
        { item: 'zaino', quantity: 10 },
        { item: 'quaderni-righe', quantity: 37 },
      ],
      phone: '+393331110001',
    });
    expect(made.ok).toBe(true);
    if (made.ok) await cancelPledge(t.db, made.pledge.id, now);
  });

  it('one contact holds one open pledge per window, however the phone or address is written', async () => {
    const [first, second] = windows;
    const a = await make({ phone: '+393331234567' });
    expect(a.ok).toBe(true);
    // The forms store the phone in E.164 (src/lib/contact.ts): every spelling arrives as this one.
    expect(await make({ phone: contactKey('0039 333 123 4567') })).toEqual({
      ok: false,
      reason: 'open_pledge',
      contact: 'phone',
    });
    const e = await make({ email: 'mara@example.org' });
    expect(e.ok).toBe(true);
    expect(await make({ email: 'mara+zaino@example.org', phone: '+393339990000' })).toEqual({
      ok: false,
      reason: 'open_pledge',
      contact: 'email',
    });
    // Another window is another pledge; a cancelled one frees the window.
    expect((await make({ phone: '+393331234567', collectionWindowId: second! })).ok).toBe(true);
    if (a.ok) expect(await cancelPledge(t.db, a.pledge.id, now)).toBe(true);
    expect((await make({ phone: '+393331234567', collectionWindowId: first! })).ok).toBe(true);
  });

  it('a pledge changed from its link stays within the share', async () => {
    const made = await make({ lines: [{ item: 'astuccio', quantity: 2 }], email: 'edit@example.org' });
    if (!made.ok) throw new Error('refused');
    const mine = (await findPledgeByToken(t.db, made.manageToken!))!;
    const before = (await items()).get('astuccio')!.pledged;
    expect(await changePledgeQuantities(t.db, mine, [{ item: 'astuccio', quantity: 11 }], SHARE)).toEqual({
      ok: false,
      reason: 'exceeds_share',
      maxPerPledge: { astuccio: 10 },
    });
    expect((await items()).get('astuccio')!.pledged).toBe(before);
    expect(await changePledgeQuantities(t.db, mine, [{ item: 'astuccio', quantity: 10 }], SHARE)).toEqual({ ok: true });
    await cancelPledge(t.db, mine.id, now);
  });

  it('200 concurrent pledges from 40 contacts never exceed a target, a share or one open pledge per contact and window', async () => {
    // Each contact sends 5 pledges at once to the same window, its phone or address written
    // another way each time, asking for up to 15 of an item (more than its share of the 40s).
    const slugs = ['zaino', 'astuccio', 'diario', 'forbici', 'pastelli', 'colla'];
    const spellings = (n: number) => {
      const digits = String(1000000 + n).slice(-7);
      return [`+39333${digits}`, `0039 333 ${digits}`, `333${digits}`, `+39 333 ${digits}`, `0039 333-${digits}`];
    };
    expect(new Set(spellings(500).map(contactKey))).toEqual(new Set(['+393331000500']));
    const requests: Promise<PledgeOutcome>[] = [];
    for (let c = 0; c < 40; c++) {
      const byEmail = c % 2 === 0;
      for (let k = 0; k < 5; k++) {
        const quantity = 1 + ((c * 7 + k * 3) % 15);
        const item = slugs[(c + k) % slugs.length]!;
        requests.push(
          make({
            collectionWindowId: windows[2]!,
            lines: [{ item, quantity }],
            email: byEmail ? `donor${c}+try${k}@Example.org`.toLowerCase() : null,
            // What the forms would store for each spelling (one E.164 number), or nothing.
            phone: byEmail ? null : contactKey(spellings(500 + c)[k]!),
          }),
        );
      }
    }
    const outcomes = await Promise.all(requests);
    const reasons = new Set(outcomes.map((o) => (o.ok ? 'ok' : o.reason)));
    for (const reason of reasons) expect(['ok', 'open_pledge', 'exceeds_share', 'exceeds_remaining']).toContain(reason);
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(0);

    const after = await items();
    for (const i of after.values()) expect(i.pledged).toBeLessThanOrEqual(i.target);
    // No line above its item's share.
    const lines = await t.db
      .selectFrom('pledge_item')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .innerJoin('pledge', 'pledge.id', 'pledge_item.pledge_id')
      .select(['campaign_item.target', 'pledge_item.quantity'])
      .where('pledge.status', '=', 'pledged')
      .execute();
    for (const l of lines) expect(l.quantity).toBeLessThanOrEqual(maxPerPledge(l.target, SHARE));
    // No contact with two open pledges in one window, counted by contact key.
    const held = (await openPledges()).flatMap((p) =>
      [p.phone, p.email].filter(Boolean).map((c) => `${p.collection_window_id}:${contactKey(c!)}`),
    );
    expect(held.length).toBe(new Set(held).size);
    // Each pledge the race answered with "ok" is there, and no contact got two of its five.
    const inRace = (await openPledges()).filter((p) => p.collection_window_id === windows[2]);
    expect(inRace).toHaveLength(outcomes.filter((o) => o.ok).length);
    expect(inRace.length).toBeLessThanOrEqual(40);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'open_pledge').length).toBeGreaterThan(0);
    // Counters equal the open pledges' lines (nothing lost or doubled in the race).
    const sums = await t.db
      .selectFrom('pledge_item')
      .innerJoin('pledge', 'pledge.id', 'pledge_item.pledge_id')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .select(['campaign_item.slug', (eb) => eb.fn.sum<number>('pledge_item.quantity').as('n')])
      .where('pledge.status', '=', 'pledged')
      .groupBy('campaign_item.slug')
      .execute();
    for (const s of sums) expect(Number(s.n)).toBe(after.get(s.slug)!.pledged);
  });

  it('one client with 200 invented contacts still takes at most a quarter of an item per pledge and never beyond its target', async () => {
    const before = (await items()).get('quaderni-quadretti')!;
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        make({
          collectionWindowId: windows[3] ?? windows[1]!,
          lines: [{ item: 'quaderni-quadretti', quantity: 150 }],
          phone: `+39347${String(1000000 + i).slice(-7)}`,
        }),
      ),
    );
    expect(outcomes.every((o) => !o.ok && o.reason === 'exceeds_share')).toBe(true);
    expect((await items()).get('quaderni-quadretti')).toEqual(before);
  });

  it('the migration keeps pledges already open twice for one contact in one window, and counts only the first', async () => {
    const window = windows[4] ?? windows[1]!;
    const campaignId = (await t.db.selectFrom('campaign').select('id').executeTakeFirstOrThrow()).id;
    await contactKeysMigration.down(t.db as Kysely<unknown>);
    let n = 0;
    // Rows as they were before the migration (no before_contact_limit column yet).
    const insert = (phone: string | null, email: string | null) =>
      t.db
        .insertInto('pledge')
        .values({
          reference: `ZS-MIGR-${10 + n++}`,
          campaign_id: campaignId,
          collection_window_id: window,
          first_name: 'Old',
          phone,
          email,
          locale: 'it',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const first = await insert('+393351112222', null);
    const second = await insert('+393351112222', null);
    const third = await insert(null, 'old+a@example.org');
    const fourth = await insert(null, 'old+b@example.org');
    await contactKeysMigration.up(t.db as Kysely<unknown>);
    const rows = await t.db
      .selectFrom('pledge')
      .select(['id', 'status', 'before_contact_limit'])
      .where('id', 'in', [first.id, second.id, third.id, fourth.id])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: first.id, status: 'pledged', before_contact_limit: false },
      { id: second.id, status: 'pledged', before_contact_limit: true },
      { id: third.id, status: 'pledged', before_contact_limit: false },
      { id: fourth.id, status: 'pledged', before_contact_limit: true },
    ]);
    // Both stay open and manageable; a new pledge of either contact in that window is refused.
    expect(await make({ collectionWindowId: window, phone: '+393351112222' })).toMatchObject({ reason: 'open_pledge' });
    expect(await make({ collectionWindowId: window, email: 'old@example.org' })).toMatchObject({
      reason: 'open_pledge',
    });
    expect(await cancelPledge(t.db, second.id, now)).toBe(true);
  });
});
