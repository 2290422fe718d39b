// Rate limits stored in PostgreSQL, so every server process counts the same requests.
// Keys never hold an IP address or a contact in clear: they are hashed with the server secret.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** What one key counted: its hits in the current window (this one included) and when that window ends. */
export interface RateLimitCount {
  key: string;
  hits: number;
  limit: number;
  allowed: boolean;
  /** Seconds until this key's window ends (at least 1), whether or not it is used up. */
  retryAfterSeconds: number;
}

/** The verdict over every key (the longest wait among those used up) and each key's count. */
export type RateLimitsResult = RateLimitResult & { counts: RateLimitCount[] };

/** Counts one hit against `key` in a fixed window; one statement, atomic under concurrency. */
export async function hitRateLimit(
  db: Db,
  key: string,
  rule: RateLimitRule,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const { counts: _counts, ...verdict } = await hitRateLimits(db, [{ key, rule }], now);
  return verdict;
}

/**
 * Counts one hit against every key, each in its own fixed window, in ONE statement (a multi-row
 * upsert), so a request costs one round trip however many limits it is checked against. Every key
 * counts the hit; the first one used up decides (the longest wait when several are).
 *
 * Atomic under concurrency: each row is inserted or locked and updated by the statement itself, so
 * parallel requests each get their own count. Keys are taken in sorted order, so two statements
 * locking the same keys cannot deadlock. A key given twice counts once (an upsert may not touch a
 * row twice), with the stricter of its rules.
 */
export async function hitRateLimits(
  db: Db,
  checks: { key: string; rule: RateLimitRule }[],
  now: Date = new Date(),
): Promise<RateLimitsResult> {
  if (checks.length === 0) return { allowed: true, counts: [] };
  const byKey = new Map<string, RateLimitRule>();
  for (const { key, rule } of checks) {
    const seen = byKey.get(key);
    byKey.set(
      key,
      seen
        ? { limit: Math.min(seen.limit, rule.limit), windowSeconds: Math.max(seen.windowSeconds, rule.windowSeconds) }
        : rule,
    );
  }
  const keys = [...byKey.keys()].sort();
  // Each key's window has its own length: a window that started at or before `now - length` is
  // over and restarts at `now`. The input CTE carries that cut-off per key into the update.
  const input = sql.join(
    keys.map(
      (key) => sql`(${key}::text, ${new Date(now.getTime() - byKey.get(key)!.windowSeconds * 1000)}::timestamptz)`,
    ),
  );
  const { rows } = await sql<{ key: string; hits: number; window_started_at: Date }>`
    WITH input (key, expired_before) AS (VALUES ${input})
    INSERT INTO rate_limit (key, window_started_at, hits)
    SELECT key, ${now}::timestamptz, 1 FROM input ORDER BY key
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN rate_limit.window_started_at <= (SELECT expired_before FROM input WHERE input.key = rate_limit.key) THEN 1 ELSE rate_limit.hits + 1 END,
      window_started_at = CASE WHEN rate_limit.window_started_at <= (SELECT expired_before FROM input WHERE input.key = rate_limit.key) THEN excluded.window_started_at ELSE rate_limit.window_started_at END
    RETURNING key, hits, window_started_at`.execute(db);
  const row = new Map(rows.map((r) => [r.key, r]));
  const counts = checks.map(({ key }): RateLimitCount => {
    const rule = byKey.get(key)!;
    const r = row.get(key);
    if (!r) throw new Error(`rate limit: no count returned for ${key}`);
    const endsAt = new Date(r.window_started_at).getTime() + rule.windowSeconds * 1000;
    const hits = Number(r.hits);
    return {
      key,
      hits,
      limit: rule.limit,
      allowed: hits <= rule.limit,
      retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)),
    };
  });
  const refused = counts.filter((c) => !c.allowed);
  if (refused.length === 0) return { allowed: true, counts };
  return { allowed: false, retryAfterSeconds: Math.max(...refused.map((c) => c.retryAfterSeconds)), counts };
}

/** A rate-limit key for a personal value (IP, phone, email) that cannot be reversed without the secret. */
export function limitKey(scope: string, value: string, secret: string): string {
  return `${scope}:${createHmac('sha256', secret).update(value).digest('base64url').slice(0, 32)}`;
}

/** Forgets windows that ended more than a day ago. */
export async function pruneRateLimits(db: Db, now: Date = new Date()): Promise<void> {
  await db
    .deleteFrom('rate_limit')
    .where('window_started_at', '<', new Date(now.getTime() - 86400000))
    .execute();
}
