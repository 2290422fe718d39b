// Throttled sign-in: password (and second-factor) attempts are counted in the database, so every
// server process sees the same counts and a restart forgets nothing. Three counts (OWASP ASVS 6.3:
// a lockout must not become a way to keep the owner out):
//
//   per account and address: RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT_AND_IP (default 5) per 15 minutes.
//     Past it, that address is refused for that account, even with the right password.
//   per address:  RATE_LIMIT_SIGN_IN_FAILURES_PER_IP_PER_HOUR (default 30) per hour, across accounts.
//   per account:  RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT (default 10) per 15 minutes, from anywhere.
//     Past it the account is only slowed: each address gets its first attempt of the window (so the
//     owner, from an address with no failures, signs in with the right password at once) and no more.
//     Guesses spread over many addresses thus cost one address each per window.
//
// Each attempt is counted before the password is checked (one atomic statement, so parallel
// guesses cannot slip past the limit); a successful one is then given back (the pair's count is
// cleared, the address's and the account's lowered by one), so only failures add up and an office
// behind one address can sign in all day. A refused attempt gets 429 and Retry-After. Unknown
// addresses are counted exactly like known ones, so the throttle tells nobody which accounts exist.
//
// Audit: `auth.sign_in`, `auth.sign_in_failed` (each failure), `auth.locked` (the first attempt
// past a limit: once per window and scope — `account_ip`, `ip`, or `account` when the account starts
// being slowed). Details hold no password and no IP.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { hitRateLimits, limitKey, type RateLimitRule } from '#/server/security/rate-limit.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';

function rule(envName: string, limit: number, windowSeconds: number): RateLimitRule {
  const fromEnv = Number(process.env[envName]);
  return { limit: Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : limit, windowSeconds };
}

export const SIGN_IN_RULES = {
  perAccountAndIp: () => rule('RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT_AND_IP', 5, 15 * 60),
  /** Past this the account is slowed (one attempt per address and window), never locked. */
  perAccount: () => rule('RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT', 10, 15 * 60),
  perIp: () => rule('RATE_LIMIT_SIGN_IN_FAILURES_PER_IP_PER_HOUR', 30, 3600),
  /** Password resets asked for from one IP (the answer is the same either way). */
  resetsPerIp: () => rule('RATE_LIMIT_PASSWORD_RESETS_PER_IP_PER_HOUR', 10, 3600),
  /** Reset emails to one address: more are silently not sent (no mailbox flooding). */
  resetsPerAccount: () => rule('RATE_LIMIT_PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR', 3, 3600),
};

export type Throttled = { allowed: true } | { allowed: false; retryAfterSeconds: number };

type Scope = 'account_ip' | 'ip' | 'account';
type Check = { key: string; rule: RateLimitRule; scope: Scope };

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

async function checksFor(
  db: Db,
  kind: 'sign_in' | 'second_factor' | 'password_check',
  account: string,
  ip: string,
): Promise<Check[]> {
  const secret = await getServerSecret(db);
  return [
    {
      key: limitKey(`auth:${kind}:account_ip`, `${account}\n${ip}`, secret),
      rule: SIGN_IN_RULES.perAccountAndIp(),
      scope: 'account_ip',
    },
    // One address budget for every kind of guess: a password, a code, the current password.
    { key: limitKey('auth:ip', ip, secret), rule: SIGN_IN_RULES.perIp(), scope: 'ip' },
    { key: limitKey(`auth:${kind}:account`, account, secret), rule: SIGN_IN_RULES.perAccount(), scope: 'account' },
  ];
}

type Lock = { scope: Scope; retryAfterSeconds: number };
type Counted =
  { allowed: true; newlyLocked: Lock[] } | { allowed: false; retryAfterSeconds: number; newlyLocked: Lock[] };

/**
 * Counts an attempt on every check. Refused when the pair's or the address's limit is used up, or
 * when the account's is and this address already tried this account in the window. `newlyLocked`
 * names the limits this very attempt is the first to pass (exactly one request per window), so a
 * lockout is logged once however many requests hammer it.
 */
async function countAttempt(db: Db, checks: Check[], now: Date): Promise<Counted> {
  // One atomic statement for every check (rate-limit.ts): each parallel request gets its own counts.
  const { counts } = await hitRateLimits(db, checks, now);
  const byScope = new Map(counts.map((count, i) => [checks[i]!.scope, count]));
  const pair = byScope.get('account_ip')!;
  const firstFromThisAddress = pair.hits === 1;
  const refusedBy = counts.filter((c, i) =>
    checks[i]!.scope === 'account' ? !c.allowed && !firstFromThisAddress : !c.allowed,
  );
  const refusedElsewhere = counts.some((c, i) => checks[i]!.scope !== 'account' && !c.allowed);
  const newlyLocked = counts
    .map((c, i) => ({ scope: checks[i]!.scope, retryAfterSeconds: c.retryAfterSeconds, first: c.hits === c.limit + 1 }))
    // The account's count of an attempt refused by its address is given back below: not a crossing.
    .filter((c) => c.first && !(c.scope === 'account' && refusedElsewhere))
    .map(({ scope, retryAfterSeconds }) => ({ scope, retryAfterSeconds }));
  if (refusedBy.length === 0) return { allowed: true, newlyLocked };
  // A refused attempt checks nothing, so it is no guess against the account: an attacker
  // hammering from a locked address does not push the account into being slowed for its owner.
  const account = checks.find((c) => c.scope === 'account')!;
  if (refusedElsewhere)
    await db
      .updateTable('rate_limit')
      .set({ hits: sql<number>`GREATEST(hits - 1, 0)` })
      .where('key', '=', account.key)
      .execute();
  return { allowed: false, retryAfterSeconds: Math.max(...refusedBy.map((c) => c.retryAfterSeconds)), newlyLocked };
}

/** A successful attempt is given back: the pair's count is cleared, the others lowered by one. */
async function giveBack(db: Db, checks: Check[]): Promise<void> {
  for (const check of checks) {
    if (check.scope === 'account_ip') await db.deleteFrom('rate_limit').where('key', '=', check.key).execute();
    else
      await db
        .updateTable('rate_limit')
        .set({ hits: sql<number>`GREATEST(hits - 1, 0)` })
        .where('key', '=', check.key)
        .execute();
  }
}

async function auditLocks(db: Db, locks: Lock[], entry: { actorUserId: number | null; step: string }): Promise<void> {
  for (const lock of locks) {
    await writeAudit(db, {
      actorUserId: entry.actorUserId,
      action: 'auth.locked',
      ...(entry.actorUserId !== null ? { subject: `user:${entry.actorUserId}` } : {}),
      detail: { step: entry.step, scope: lock.scope, retryAfterSeconds: lock.retryAfterSeconds },
    });
  }
}

export interface SignInUser {
  id: number;
  totpEnabled: boolean;
}

export type SignInResult =
  | { ok: true; user: SignInUser }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * Checks an email and password, throttled. The same answer ("invalid") for an unknown address,
 * a wrong password, a disabled account and one whose password is not set yet; the same work too
 * (a password hash is always verified).
 */
export async function attemptSignIn(
  db: Db,
  input: { email: string; password: string; ip: string },
  now: Date = new Date(),
): Promise<SignInResult> {
  const email = normalizeEmail(input.email).slice(0, 254);
  const checks = await checksFor(db, 'sign_in', email, input.ip);
  const counted = await countAttempt(db, checks, now);
  // A lockout (or the account starting to be slowed) is logged once.
  if (counted.newlyLocked.length > 0) {
    const locked = email
      ? await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst()
      : undefined;
    await auditLocks(db, counted.newlyLocked, { actorUserId: locked?.id ?? null, step: 'sign_in' });
  }
  // Refused before any password check: nothing is learnt.
  if (!counted.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: counted.retryAfterSeconds };
  const user = email
    ? await db
        .selectFrom('app_user')
        .select(['id', 'password_hash', 'disabled_at', 'totp_enabled_at'])
        .where('email', '=', email)
        .executeTakeFirst()
    : undefined;
  const usable = user && user.password_hash && !user.disabled_at ? user : undefined;
  const valid = usable
    ? await verifyPassword(usable.password_hash!, input.password)
    : await verifyAgainstDummy(input.password);
  if (valid && usable) {
    await giveBack(db, checks);
    await writeAudit(db, {
      actorUserId: usable.id,
      action: 'auth.sign_in',
      subject: `user:${usable.id}`,
      detail: { secondFactor: usable.totp_enabled_at ? 'pending' : 'none' },
    });
    return { ok: true, user: { id: usable.id, totpEnabled: usable.totp_enabled_at !== null } };
  }
  const reason = !user
    ? 'unknown_account'
    : user.disabled_at
      ? 'disabled'
      : !user.password_hash
        ? 'no_password'
        : 'wrong_password';
  await writeAudit(db, {
    actorUserId: user?.id ?? null,
    action: 'auth.sign_in_failed',
    ...(user ? { subject: `user:${user.id}` } : {}),
    detail: { reason },
  });
  return { ok: false, reason: 'invalid' };
}

/**
 * Counts a guess of a signed-in user (the second factor, or the current password on the account
 * page) against that user and the IP. `check` runs only when the guess is allowed.
 */
export async function attemptGuarded<T>(
  db: Db,
  input: { userId: number; ip: string; step: 'second_factor' | 'password_check' },
  check: () => Promise<T | false>,
  now: Date = new Date(),
): Promise<
  | { ok: true; value: T }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
> {
  const checks = await checksFor(db, input.step, String(input.userId), input.ip);
  const counted = await countAttempt(db, checks, now);
  await auditLocks(db, counted.newlyLocked, { actorUserId: input.userId, step: input.step });
  if (!counted.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: counted.retryAfterSeconds };
  const value = await check();
  if (value !== false) {
    await giveBack(db, checks);
    return { ok: true, value };
  }
  await writeAudit(db, {
    actorUserId: input.userId,
    action: input.step === 'second_factor' ? 'auth.second_factor_failed' : 'auth.password_check_failed',
    subject: `user:${input.userId}`,
  });
  return { ok: false, reason: 'invalid' };
}

/**
 * A password-reset request: refused (429) past the per-IP limit; past the per-address limit it is
 * accepted but no email goes out (`send: false`), so the answer never depends on the account.
 */
export async function throttlePasswordReset(
  db: Db,
  email: string,
  ip: string,
  now: Date = new Date(),
): Promise<Throttled & { send?: boolean }> {
  const secret = await getServerSecret(db);
  const perIp = await hitRateLimits(
    db,
    [{ key: limitKey('auth:reset:ip', ip, secret), rule: SIGN_IN_RULES.resetsPerIp() }],
    now,
  );
  if (!perIp.allowed) return { allowed: false, retryAfterSeconds: perIp.retryAfterSeconds };
  const perAccount = await hitRateLimits(
    db,
    [{ key: limitKey('auth:reset:account', normalizeEmail(email), secret), rule: SIGN_IN_RULES.resetsPerAccount() }],
    now,
  );
  return { allowed: true, send: perAccount.allowed };
}
