// runInTransaction runs again a transaction PostgreSQL cancelled to break a deadlock (40P01), so
// two writers that lock the same rows in opposite orders (staff cancelling a date while a family
// declines its offer on it: date-notices.ts) both go through instead of one failing with a 500.
// The deadlock is forced with no sleep: each transaction locks its first row, then waits until the
// other has locked its own before asking for the second. PostgreSQL only: PGlite has one
// connection, so no statement ever waits for another.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { openDatabase } from '#/server/db/connection.ts';
import type { Database, Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';

let t: TestDatabase;
const opened: Kysely<Database>[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await sql`CREATE TABLE deadlock_probe (id int PRIMARY KEY, writes int NOT NULL DEFAULT 0)`.execute(t.db);
  await sql`INSERT INTO deadlock_probe (id) VALUES (1), (2)`.execute(t.db);
});
afterAll(async () => {
  for (const db of opened) await db.destroy();
  await t.close();
});

async function connection(): Promise<Kysely<Database>> {
  const db = await openDatabase({ kind: 'postgres', url: t.env.DATABASE_URL!, poolSize: 1 });
  opened.push(db);
  return db;
}

const touch = (trx: Db, id: number) => sql`UPDATE deadlock_probe SET writes = writes + 1 WHERE id = ${id}`.execute(trx);

describe('a transaction cancelled by a deadlock (PostgreSQL)', () => {
  it('is run again, so both writers go through and each row is written once by each', async () => {
    const [a, b] = [await connection(), await connection()];
    const first = { a: Promise.withResolvers<void>(), b: Promise.withResolvers<void>() };
    const runs = { a: 0, b: 0 };
    const writer = (db: Db, name: 'a' | 'b', order: [number, number]) =>
      runInTransaction(db, async (trx) => {
        runs[name]++;
        await touch(trx, order[0]);
        // Only the first time: each holds its first row until the other holds its own.
        first[name].resolve();
        await first[name === 'a' ? 'b' : 'a'].promise;
        await touch(trx, order[1]);
        return name;
      });

    const results = await Promise.allSettled([writer(a, 'a', [1, 2]), writer(b, 'b', [2, 1])]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    // PostgreSQL cancelled one of the two; it ran again once the other had committed.
    expect(runs.a + runs.b).toBe(3);
    const { rows } = await sql<{
      id: number;
      writes: number;
    }>`SELECT id, writes FROM deadlock_probe ORDER BY id`.execute(t.db);
    expect(rows).toEqual([
      { id: 1, writes: 2 },
      { id: 2, writes: 2 },
    ]);
  });
});
