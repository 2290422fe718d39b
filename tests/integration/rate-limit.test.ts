import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { hitRateLimit, limitKey } from '#/server/security/rate-limit.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('rate limits in the database', () => {
  it('allows the limit within a window, then says when to retry, then resets', async () => {
    const rule = { limit: 3, windowSeconds: 60 };
    const t0 = new Date('2026-12-01T10:00:00Z');
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => hitRateLimit(t.db, 'test:a', rule, t0)));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    expect(results.filter((r) => !r.allowed)).toEqual([
      { allowed: false, retryAfterSeconds: 60 },
      { allowed: false, retryAfterSeconds: 60 },
    ]);
    expect(await hitRateLimit(t.db, 'test:a', rule, new Date(t0.getTime() + 45000))).toEqual({
      allowed: false,
      retryAfterSeconds: 15,
    });
    expect(await hitRateLimit(t.db, 'test:a', rule, new Date(t0.getTime() + 61000))).toEqual({ allowed: true });
  });
  it('stores no personal value in clear', () => {
    const key = limitKey('booking:phone', '+393516818198', 'secret');
    expect(key).toMatch(/^booking:phone:[A-Za-z0-9_-]{32}$/);
    expect(key).not.toContain('3516818198');
  });
});
