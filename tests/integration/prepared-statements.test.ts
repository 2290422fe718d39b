// The named prepared statements of both drivers (src/server/db/pglite-prepared.ts, pg-prepared.ts):
// a statement parsed once answers every later run with that run's values, a plan made stale by DDL
// is parsed again, an error leaves the handle usable, and the statements kept stay bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { PREPARED_LIMIT } from '#/server/db/pglite-prepared.ts';
import { NAMED_LIMIT } from '#/server/db/pg-prepared.ts';
import { PLANNED_EACH_TIME } from '#/server/db/prepared-statements.ts';

let test: TestDatabase;
let db: Kysely<unknown>;

beforeAll(async () => {
  test = await createTestDatabase({ poolSize: 1 });
  db = test.db as unknown as Kysely<unknown>;
  await sql`create table prepared_probe (id int primary key, label text, at timestamptz, facts jsonb, ok boolean)`.execute(
    db,
  );
});

afterAll(async () => {
  await test.close();
});

type Probe = { id: number; label: string | null; at: Date | null; facts: unknown; ok: boolean | null };

async function insert(row: Probe): Promise<void> {
  await sql`insert into prepared_probe (id, label, at, facts, ok) values (${row.id}, ${row.label}, ${row.at}, ${JSON.stringify(row.facts)}, ${row.ok})`.execute(
    db,
  );
}

async function read(id: number): Promise<Probe | undefined> {
  const { rows } = await sql<Probe>`select id, label, at, facts, ok from prepared_probe where id = ${id}`.execute(db);
  return rows[0];
}

describe('named prepared statements', () => {
  it('answer every run of one statement with that run’s values, nulls, dates and JSON included', async () => {
    const rows: Probe[] = Array.from({ length: 20 }, (_, i) => ({
      id: i + 1,
      label: i % 3 === 0 ? null : `label ${i}`,
      at: i % 4 === 0 ? null : new Date(Date.UTC(2026, 11, 6, 8, i)),
      facts: { seats: i, names: ['a', `b${i}`] },
      ok: i % 5 === 0 ? null : i % 2 === 0,
    }));
    for (const row of rows) await insert(row);
    for (const row of rows) expect(await read(row.id)).toEqual(row);
    const { rows: counted } = await sql<{
      n: number;
    }>`select count(*)::int as n from prepared_probe where id = any(${[2, 4, 6, 99]}::int[])`.execute(db);
    expect(counted[0]!.n).toBe(3);
  });

  it('parse a statement again when a table’s columns change under it', async () => {
    const star = () => sql<Record<string, unknown>>`select * from prepared_probe where id = ${1}`.execute(db);
    expect(Object.keys((await star()).rows[0]!)).toEqual(['id', 'label', 'at', 'facts', 'ok']);
    await sql`alter table prepared_probe add column extra text`.execute(db);
    expect(Object.keys((await star()).rows[0]!)).toEqual(['id', 'label', 'at', 'facts', 'ok', 'extra']);
    await sql`alter table prepared_probe drop column extra`.execute(db);
    expect(Object.keys((await star()).rows[0]!)).toEqual(['id', 'label', 'at', 'facts', 'ok']);
  });

  it('leave the handle usable after a failed statement inside a transaction, which rolls back', async () => {
    const duplicate = db.transaction().execute(async (trx) => {
      await sql`insert into prepared_probe (id, label) values (${500}, ${'first'})`.execute(trx);
      await sql`insert into prepared_probe (id, label) values (${1}, ${'taken'})`.execute(trx);
    });
    await expect(duplicate).rejects.toMatchObject({ code: '23505' });
    expect(await read(500)).toBeUndefined();
    await sql`insert into prepared_probe (id, label) values (${500}, ${'first'})`.execute(db);
    expect((await read(500))?.label).toBe('first');
  });

  it('plan a statement marked PLANNED_EACH_TIME at each run on PostgreSQL (the embedded database keeps it), with each run’s values', async () => {
    await db.connection().execute(async (connection) => {
      const kept = async (pattern: string) => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_prepared_statements where statement like ${pattern}`.execute(connection);
        return rows[0]!.n;
      };
      for (const id of [1, 2, 3, 4, 5, 6, 7, 99]) {
        const marked = await sql<{
          id: number;
        }>`${sql.raw(PLANNED_EACH_TIME)} select id from prepared_probe where id = ${id} and ${'each'} = ${'each'}`.execute(
          connection,
        );
        expect(marked.rows).toEqual(id === 99 ? [] : [{ id }]);
        const plain = await sql<{
          id: number;
        }>`select id from prepared_probe where id = ${id} and ${'kept'} = ${'kept'}`.execute(connection);
        expect(plain.rows).toEqual(marked.rows);
      }
      // PostgreSQL plans it afresh each time; PGlite keeps it and plans it again once its table is analyzed.
      expect(await kept('%planned each time%')).toBe(test.kind === 'pglite' ? 1 : 0);
      expect(await kept('select id from prepared_probe where id = $1 and $2 = $3')).toBe(1);
    });
  });

  it('keep a bounded number of statements per connection', async () => {
    const limit = test.kind === 'pglite' ? PREPARED_LIMIT : NAMED_LIMIT;
    await db.connection().execute(async (connection) => {
      for (let i = 0; i < limit + 30; i++) {
        const { rows } = await sql<{ n: number }>`select ${sql.raw(String(i))}::int + ${1}::int as n`.execute(
          connection,
        );
        expect(rows[0]!.n).toBe(i + 1);
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(
        connection,
      );
      expect(rows[0]!.n).toBeGreaterThan(limit / 2);
      expect(rows[0]!.n).toBeLessThanOrEqual(limit);
    });
  });
});
