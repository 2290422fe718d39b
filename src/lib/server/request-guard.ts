// Who is asking, and may they: client IP and the shared rate limits of the public write paths
// (booking form, booking API, cancel). Used by actions and API endpoints alike.
import type { APIContext } from 'astro';
import type { Db } from './db/database.ts';
import { hitRateLimits, limitKey, type RateLimitResult, type RateLimitRule } from './rate-limit.ts';
import { getServerSecret } from './secret.ts';

/**
 * The client's address. Behind a reverse proxy set TRUST_PROXY=1 so the first X-Forwarded-For hop
 * is used; otherwise that header is ignored, as anyone can send it.
 */
export function clientIp(context: Pick<APIContext, 'request' | 'clientAddress'>): string {
  if (process.env.TRUST_PROXY === '1') {
    const forwarded = context.request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return context.clientAddress;
  } catch {
    return 'unknown';
  }
}

function rule(envName: string, limit: number, windowSeconds: number): RateLimitRule {
  const fromEnv = Number(process.env[envName]);
  return { limit: Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : limit, windowSeconds };
}

/** Defaults fit a family or a desk operator's phone; operators can raise them per environment. */
export const RULES = {
  writesPerIp: () => rule('RATE_LIMIT_WRITES_PER_IP_PER_HOUR', 30, 3600),
  bookingsPerContact: () => rule('RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY', 5, 86400),
  lookupsPerIp: () => rule('RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR', 20, 3600),
};

/** Counts a public write from this IP and, when given, for this contact (phone or email). */
export async function guardPublicWrite(db: Db, scope: string, ip: string, contact?: string | null): Promise<RateLimitResult> {
  const secret = await getServerSecret(db);
  const checks = [{ key: limitKey(`${scope}:ip`, ip, secret), rule: RULES.writesPerIp() }];
  if (contact) checks.push({ key: limitKey(`${scope}:contact`, contact, secret), rule: RULES.bookingsPerContact() });
  return hitRateLimits(db, checks);
}

/** Counts a lookup (cancel by reference + phone) from this IP: guessing references is slow. */
export async function guardLookup(db: Db, scope: string, ip: string): Promise<RateLimitResult> {
  const secret = await getServerSecret(db);
  return hitRateLimits(db, [{ key: limitKey(`${scope}:lookup`, ip, secret), rule: RULES.lookupsPerIp() }]);
}
