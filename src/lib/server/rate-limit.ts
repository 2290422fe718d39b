// Rate limits stored in PostgreSQL, so every server process counts the same requests.
// Keys never hold an IP address or a contact in clear: they are hashed with the server secret.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './db/database.ts';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts one hit against `key` in a fixed window; one statement, atomic under concurrency. */
export async function hitRateLimit(db: Db, key: string, rule: RateLimitRule, now: Date = new Date()): Promise<RateLimitResult> {
  const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000);
  const row = await db
    .insertInto('rate_limit')
    .values({ key, window_started_at: now, hits: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`CASE WHEN rate_limit.window_started_at <= ${windowStart} THEN 1 ELSE rate_limit.hits + 1 END`,
        window_started_at: sql<Date>`CASE WHEN rate_limit.window_started_at <= ${windowStart} THEN ${now}::timestamptz ELSE rate_limit.window_started_at END`,
      }),
    )
    .returning(['hits', 'window_started_at'])
    .executeTakeFirstOrThrow();
  if (row.hits <= rule.limit) return { allowed: true };
  const resetsAt = row.window_started_at.getTime() + rule.windowSeconds * 1000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now.getTime()) / 1000)) };
}

/** Checks several limits; the first one exceeded decides. Every limit counts the hit. */
export async function hitRateLimits(db: Db, checks: { key: string; rule: RateLimitRule }[], now: Date = new Date()): Promise<RateLimitResult> {
  let worst: RateLimitResult = { allowed: true };
  for (const check of checks) {
    const result = await hitRateLimit(db, check.key, check.rule, now);
    if (!result.allowed && (worst.allowed || result.retryAfterSeconds > worst.retryAfterSeconds)) worst = result;
  }
  return worst;
}

/** A rate-limit key for a personal value (IP, phone, email) that cannot be reversed without the secret. */
export function limitKey(scope: string, value: string, secret: string): string {
  return `${scope}:${createHmac('sha256', secret).update(value).digest('base64url').slice(0, 32)}`;
}

/** Forgets windows that ended more than a day ago. */
export async function pruneRateLimits(db: Db, now: Date = new Date()): Promise<void> {
  await db.deleteFrom('rate_limit').where('window_started_at', '<', new Date(now.getTime() - 86400000)).execute();
}
