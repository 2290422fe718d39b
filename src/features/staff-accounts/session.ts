// Sessions after Lucia's design (https://lucia-auth.com): a token "<id>.<secret>" with a 128-bit+
// random secret; only SHA-256(secret) is stored and compared in constant time. Sliding expiry
// (idle timeout) plus an absolute lifetime; a new session at every sign-in.
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Role } from '#/server/db/database.ts';
import { sameSecret } from '#/server/security/same-secret.ts';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 };

export interface SessionUser {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  organisationId: number | null;
  totpEnabled: boolean;
}

export interface ValidSession {
  id: string;
  userId: number;
  createdAt: Date;
  twoFactorVerified: boolean;
}

const encode = (bytes: Buffer) => bytes.toString('base64url');
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** 120-bit id, 256-bit secret. */
export function generateSessionToken(): string {
  return `${encode(randomBytes(15))}.${encode(randomBytes(32))}`;
}

export async function createSession(
  db: Db,
  token: string,
  userId: number,
  options: { twoFactorVerified: boolean; now?: Date },
): Promise<ValidSession> {
  const [id, secret] = token.split('.') as [string, string];
  const now = options.now ?? new Date();
  await db
    .insertInto('user_session')
    .values({
      id,
      secret_hash: hashSecret(secret),
      user_id: userId,
      created_at: now,
      last_used_at: now,
      two_factor_verified: options.twoFactorVerified,
    })
    .execute();
  return { id, userId, createdAt: now, twoFactorVerified: options.twoFactorVerified };
}

/**
 * The session and user behind a token, or null. Refuses disabled users, idle or too old sessions
 * (and deletes them), and slides the idle timeout at most once a minute.
 */
export async function validateSessionToken(
  db: Db,
  token: string,
  now: Date = new Date(),
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
): Promise<{ session: ValidSession; user: SessionUser } | null> {
  const m = /^([A-Za-z0-9_-]{20}).([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const [, id, secret] = m as unknown as [string, string, string];
  const row = await db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .select([
      'user_session.id',
      'user_session.secret_hash',
      'user_session.created_at',
      'user_session.last_used_at',
      'user_session.two_factor_verified',
      'app_user.id as user_id',
      'app_user.email',
      'app_user.display_name',
      'app_user.role',
      'app_user.organisation_id',
      'app_user.totp_enabled_at',
      'app_user.disabled_at',
    ])
    .where('user_session.id', '=', id)
    .executeTakeFirst();
  if (!row || !sameSecret(hashSecret(secret), row.secret_hash)) return null;
  const expired =
    now.getTime() - row.last_used_at.getTime() > policy.idleMs ||
    now.getTime() - row.created_at.getTime() > policy.absoluteMs;
  if (expired || row.disabled_at) {
    await invalidateSession(db, id);
    return null;
  }
  if (now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('user_session').set({ last_used_at: now }).where('id', '=', id).execute();
  }
  return {
    session: { id, userId: row.user_id, createdAt: row.created_at, twoFactorVerified: row.two_factor_verified },
    user: {
      id: row.user_id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      organisationId: row.organisation_id,
      totpEnabled: row.totp_enabled_at !== null,
    },
  };
}

export async function markSessionTwoFactorVerified(db: Db, sessionId: string): Promise<void> {
  await db.updateTable('user_session').set({ two_factor_verified: true }).where('id', '=', sessionId).execute();
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', sessionId).execute();
}

/** Signs a user out everywhere: on password change, disabling, or a change of role. */
export async function invalidateUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('user_session').where('user_id', '=', userId).execute();
}

/** Cookie name and attributes: the __Host- prefix (Secure, path /, no Domain) when served over HTTPS. */
export function sessionCookie(https: boolean): {
  name: string;
  options: { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/' };
} {
  return {
    name: https ? '__Host-qubi_session' : 'qubi_session',
    options: { httpOnly: true, sameSite: 'lax', secure: https, path: '/' },
  };
}
