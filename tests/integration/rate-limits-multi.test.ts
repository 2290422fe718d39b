// hitRateLimits counts every key of a request in one statement: the counts it returns, its
// atomicity under concurrency, and each key's own window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { hitRateLimits } from '#/server/security/rate-limit.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const hour = { limit: 3, windowSeconds: 3600 };
const minute = { limit: 2, windowSeconds: 60 };
const t0 = new Date('2026-12-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('hitRateLimits', () => {
  it('counts several keys in one statement and returns each count', async () => {
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db = t.db.withPlugin(counting);
    const first = await hitRateLimits(
      db,
      [
        { key: 'multi:ip', rule: hour },
        { key: 'multi:contact', rule: minute },
      ],
      t0,
    );
    expect(statements).toBe(1);
    expect(first).toEqual({
      allowed: true,
      counts: [
        { key: 'multi:ip', hits: 1, limit: 3, allowed: true, retryAfterSeconds: 3600 },
        { key: 'multi:contact', hits: 1, limit: 2, allowed: true, retryAfterSeconds: 60 },
      ],
    });
    await hitRateLimits(
      t.db,
      [
        { key: 'multi:ip', rule: hour },
        { key: 'multi:contact', rule: minute },
      ],
      at(10),
    );
    // The third hit uses up the per-minute key only; the verdict is its wait, and both counted.
    const third = await hitRateLimits(
      t.db,
      [
        { key: 'multi:ip', rule: hour },
        { key: 'multi:contact', rule: minute },
      ],
      at(20),
    );
    expect(third).toEqual({
      allowed: false,
      retryAfterSeconds: 40,
      counts: [
        { key: 'multi:ip', hits: 3, limit: 3, allowed: true, retryAfterSeconds: 3580 },
        { key: 'multi:contact', hits: 3, limit: 2, allowed: false, retryAfterSeconds: 40 },
      ],
    });
  });

  it('resets each key when its own window is over, not the others', async () => {
    const checks = [
      { key: 'reset:long', rule: hour },
      { key: 'reset:short', rule: minute },
    ];
    for (const s of [0, 1, 2]) await hitRateLimits(t.db, checks, at(s));
    // 61 s on: the minute window restarted, the hour one goes on counting (and is used up).
    const later = await hitRateLimits(t.db, checks, at(61));
    expect(later.counts.map((c) => c.hits)).toEqual([4, 1]);
    expect(later).toMatchObject({ allowed: false, retryAfterSeconds: 3600 - 61 });
    // Exactly at the end of the hour window it restarts too (and the minute one, long over).
    const next = await hitRateLimits(t.db, checks, at(3600));
    expect(next.counts.map((c) => c.hits)).toEqual([1, 1]);
    expect(next.allowed).toBe(true);
    expect((await hitRateLimits(t.db, checks, at(3630))).counts.map((c) => [c.hits, c.retryAfterSeconds])).toEqual([
      [2, 3570],
      [2, 30],
    ]);
    const rows = await t.db
      .selectFrom('rate_limit')
      .select(['key', 'hits', 'window_started_at'])
      .where('key', 'like', 'reset:%')
      .orderBy('key')
      .execute();
    expect(rows).toEqual([
      { key: 'reset:long', hits: 2, window_started_at: at(3600) },
      { key: 'reset:short', hits: 2, window_started_at: at(3600) },
    ]);
  });

  it('gives each of many parallel requests its own counts: exactly the limit gets through', async () => {
    const rule = { limit: 5, windowSeconds: 600 };
    // The keys in opposite orders from half of the requests: the statement sorts them, no deadlock.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        hitRateLimits(
          t.db,
          i % 2
            ? [
                { key: 'race:a', rule },
                { key: 'race:b', rule },
              ]
            : [
                { key: 'race:b', rule },
                { key: 'race:a', rule },
              ],
          t0,
        ),
      ),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const hitsOf = (key: string) => results.map((r) => r.counts.find((c) => c.key === key)!.hits).sort((x, y) => x - y);
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(hitsOf('race:a')).toEqual(all);
    expect(hitsOf('race:b')).toEqual(all);
  });

  it('counts a key given twice once, with the stricter rule', async () => {
    const result = await hitRateLimits(
      t.db,
      [
        { key: 'twice', rule: { limit: 1, windowSeconds: 60 } },
        { key: 'twice', rule: { limit: 5, windowSeconds: 60 } },
      ],
      t0,
    );
    expect(result.counts.map((c) => [c.hits, c.limit])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(
      (await t.db.selectFrom('rate_limit').select('hits').where('key', '=', 'twice').executeTakeFirstOrThrow()).hits,
    ).toBe(1);
    expect(await hitRateLimits(t.db, [], t0)).toEqual({ allowed: true, counts: [] });
  });
});
