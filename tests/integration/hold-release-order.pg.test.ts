// Lapsed holds are released in id order (src/features/holds/lapse.ts). Two releases at once that
// met the same holds in different orders deadlocked on PostgreSQL in the 200-pledge race: each
// locked a hold the other wanted next, and PostgreSQL cancelled one of them (40P01). The order a
// plain UPDATE meets its rows in is its plan's: "hold_expires_at <= now" may be read through the
// expiry index (in order of expiry) or by reading the table (in the order of its rows), as the
// table's size and the time asked make PostgreSQL choose. Here both orders are pinned, one for each
// release, and the interleaving is forced with no sleep: a third connection locks the middle hold,
// as a confirmation of it does first, until both releases wait (pg_stat_activity says so).
// PostgreSQL only: PGlite has one connection, so no statement ever waits for another.
import { sql, type Kysely } from 'kysely';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { openDatabase } from '#/server/db/connection.ts';
import type { Database } from '#/server/db/database.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { releaseLapsedPledgeHolds } from '#/features/campaign/pledge-holds.ts';

let t: TestDatabase;
const opened: Kysely<Database>[] = [];
const now = new Date('2026-11-24T10:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60000);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
});
afterAll(async () => {
  for (const db of opened) await db.destroy();
  await t.close();
});

/** One connection of its own to the test database, named in pg_stat_activity, with `settings` (-c …). */
async function connection(name: string, settings: string): Promise<Kysely<Database>> {
  const url = new URL(t.env.DATABASE_URL!);
  url.searchParams.set('application_name', name);
  if (settings) url.searchParams.set('options', settings);
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
  opened.push(db);
  return db;
}

/** Waits until every named connection waits for a lock (a deadline, not a sleep that hopes). */
async function untilWaitingForLocks(names: string[]): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const { rows } = await sql<{ application_name: string }>`
      SELECT application_name FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND application_name = ANY(${names}::text[])`.execute(t.db);
    if (names.every((name) => rows.some((r) => r.application_name === name))) return;
    if (Date.now() > deadline) throw new Error(`only ${rows.map((r) => r.application_name)} waited for a lock`);
    await setTimeout(20);
  }
}

describe('the release of lapsed holds (PostgreSQL)', () => {
  it('gives back holds two releases meet in opposite orders once, without a deadlock', async () => {
    const windowId = (
      await t.db.selectFrom('collection_window').select('id').orderBy('starts_at').executeTakeFirstOrThrow()
    ).id;
    const counter = () =>
      t.db.selectFrom('campaign_item').select('pledged').where('slug', '=', 'zaino').executeTakeFirstOrThrow();
    const before = (await counter()).pledged;
    // Three holds whose times end in the opposite order of their ids (made a minute apart, each
    // with a minute less to wait), as do their clients': either index meets them c, b, a; the table
    // a, b, c.
    const ids: number[] = [];
    for (const [i, minutes] of [2, 1, 0].entries()) {
      const made = await createPledge(
        t.db,
        {
          campaignSlug: 'zaino-sospeso',
          lines: [{ item: 'zaino', quantity: 1 }],
          collectionWindowId: windowId,
          firstName: 'Amina',
          email: null,
          phone: `+3933300000${i}`,
          locale: 'it',
          submissionKey: null,
        },
        at(minutes),
        { hold: { client: `client-${minutes}` } },
      );
      if (!made.ok) throw new Error(`hold refused: ${made.reason}`);
      ids.push(made.pledge.id);
    }
    const [a, b, c] = ids as [number, number, number];
    expect(a < b && b < c).toBe(true);
    expect((await counter()).pledged).toBe(before + 3);

    // The worker's housekeeping and a pledge that did not fit both call releaseLapsedPledgeHolds;
    // each on its own connection, its plan pinned.
    const byExpiry = await connection('release-by-expiry', '-c enable_seqscan=off -c enable_bitmapscan=off');
    const byTable = await connection('release-by-table', '-c enable_indexscan=off -c enable_bitmapscan=off');
    const confirming = await connection('confirming', '');
    const metInOrder = async (db: Kysely<Database>) =>
      (
        await sql<{ id: number }>`
          SELECT id FROM pledge WHERE status = 'pending' AND hold_expires_at <= ${at(60)}::timestamptz`.execute(db)
      ).rows.map((r) => r.id);
    expect(await metInOrder(byExpiry)).toEqual([c, b, a]);
    expect(await metInOrder(byTable)).toEqual([a, b, c]);

    // The middle hold locked as its confirmation locks it (confirmPledgeHold's readLocked), until
    // both releases hold their first hold and wait for it.
    let done!: () => void;
    const bothWaiting = new Promise<void>((resolve) => (done = resolve));
    let locked!: () => void;
    const middleLocked = new Promise<void>((resolve) => (locked = resolve));
    const confirmation = confirming.transaction().execute(async (trx) => {
      await trx.selectFrom('pledge').select('id').where('id', '=', b).forUpdate().executeTakeFirstOrThrow();
      locked();
      await bothWaiting;
    });
    await middleLocked;
    const releases = [byExpiry, byTable].map((db) =>
      releaseLapsedPledgeHolds(db, at(60)).then(
        (released) => ({ released }),
        (error: { code?: string; message?: string }) => ({ error: `${error.code}: ${error.message}` }),
      ),
    );
    try {
      await untilWaitingForLocks(['release-by-expiry', 'release-by-table']);
    } finally {
      done();
    }
    await confirmation;

    // In id order the second release waits for the first one's first hold, then finds all three
    // released. Without it each holds its first hold (a, c) and waits for b; once b is free, the
    // one that takes it waits for the other's first hold, and the other still waits for b: 40P01.
    const outcomes = await Promise.all(releases);
    expect(outcomes.map((o) => ('error' in o ? o.error : undefined))).toEqual([undefined, undefined]);
    expect(outcomes.map((o) => ('released' in o ? o.released : -1)).sort()).toEqual([0, 3]);
    const rows = await t.db.selectFrom('pledge').select(['status', 'phone']).where('id', 'in', ids).execute();
    expect(rows).toEqual(ids.map(() => ({ status: 'lapsed', phone: null })));
    // Given back once: the counter is where it was before the three holds.
    expect((await counter()).pledged).toBe(before);
  });
});
