// Who is asking, and may they: client IP and the shared rate limits of the public write paths
// (booking form, booking API, cancel). Used by actions and API endpoints alike.
import type { APIContext } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { contactKeys, type GivenContacts } from '#/lib/contact.ts';
import { hitRateLimits, limitKey, type RateLimitResult, type RateLimitRule } from '#/server/security/rate-limit.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { currentClientAddress, rateLimitAddress } from './client-address.ts';

/**
 * The client's address as rate limits count it: the one scripts/serve.ts resolved through the
 * trusted proxies (TRUSTED_PROXIES, client-address.ts), IPv6 by its /64. Under `astro dev` there
 * is no such layer and Astro's own address is used.
 */
export function clientIp(context: Pick<APIContext, 'request' | 'clientAddress'>): string {
  const address = currentClientAddress() ?? astroClientAddress(context);
  return address ? rateLimitAddress(address) : 'unknown';
}

function astroClientAddress(context: Pick<APIContext, 'clientAddress'>): string | undefined {
  try {
    return context.clientAddress;
  } catch {
    return undefined;
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

/**
 * Counts a public write from this IP and for every contact given (phone and email each), each by
 * its key (contactKey: a phone in E.164, an address without its +tag), so writing one number or
 * address another way is still the same contact.
 */
export async function guardPublicWrite(
  db: Db,
  scope: string,
  ip: string,
  contacts?: GivenContacts,
): Promise<RateLimitResult> {
  const secret = await getServerSecret(db);
  const checks = [{ key: limitKey(`${scope}:ip`, ip, secret), rule: RULES.writesPerIp() }];
  for (const contact of contactKeys(contacts))
    checks.push({ key: limitKey(`${scope}:contact`, contact, secret), rule: RULES.bookingsPerContact() });
  return hitRateLimits(db, checks);
}

/** Counts a lookup (cancel by reference + phone) from this IP: guessing references is slow. */
export async function guardLookup(db: Db, scope: string, ip: string): Promise<RateLimitResult> {
  const secret = await getServerSecret(db);
  return hitRateLimits(db, [{ key: limitKey(`${scope}:lookup`, ip, secret), rule: RULES.lookupsPerIp() }]);
}
