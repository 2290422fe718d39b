// Staff sign-in primitives on the real database: sessions (hashed secrets, sliding and absolute
// expiry, revocation) and passwords (argon2id, policy, single-use links).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import {
  createSession,
  generateSessionToken,
  validateSessionToken,
  invalidateSession,
} from '#/features/staff-accounts/session.ts';
import { checkNewPassword, verifyPassword } from '#/features/staff-accounts/password.ts';
import {
  changePassword,
  changeRole,
  createUser,
  disableUser,
  issueUserToken,
  setPasswordWithToken,
} from '#/features/staff-accounts/users.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';

let t: TestDatabase;
let userId: number;
const t0 = new Date('2026-11-24T08:00:00Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, t0);
  userId = await createUser(
    t.db,
    { email: 'Coord@Comune.Milano.it', displayName: 'Coordinatrice', role: 'coordinator', municipi: [8] },
    'una frase lunga e sicura',
  );
});
afterAll(() => t.close());

async function newSession(at = t0) {
  const token = generateSessionToken();
  await createSession(t.db, token, userId, { twoFactorVerified: false, now: at });
  return token;
}

describe('sessions', () => {
  it('store only a hash of the secret and validate the exact token', async () => {
    const token = await newSession();
    const [id, secret] = token.split('.') as [string, string];
    const row = await t.db.selectFrom('user_session').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(secret);
    expect((await validateSessionToken(t.db, token, later(1)))?.user).toMatchObject({
      email: 'coord@comune.milano.it',
      role: 'coordinator',
    });
    expect(await validateSessionToken(t.db, `${id}.${'A'.repeat(43)}`, later(1))).toBeNull();
    expect(await validateSessionToken(t.db, 'garbage', later(1))).toBeNull();
  });

  it('slide while used, expire after 2 idle hours and after 12 hours in all', async () => {
    const idle = await newSession();
    expect(await validateSessionToken(t.db, idle, later(119))).not.toBeNull();
    expect(await validateSessionToken(t.db, idle, later(119 + 121))).toBeNull();
    const busy = await newSession();
    for (let m = 60; m < 12 * 60; m += 60)
      expect(await validateSessionToken(t.db, busy, later(m)), `minute ${m}`).not.toBeNull();
    expect(await validateSessionToken(t.db, busy, later(12 * 60 + 1))).toBeNull();
  });

  it('are revoked on sign-out, password change, role change and disabling', async () => {
    const a = await newSession(later(0));
    await invalidateSession(t.db, a.split('.')[0]!);
    expect(await validateSessionToken(t.db, a, later(1))).toBeNull();
    const b = await newSession();
    await changePassword(t.db, userId, 'un’altra frase lunga');
    expect(await validateSessionToken(t.db, b, later(1))).toBeNull();
    const c = await newSession();
    await changeRole(t.db, userId, 'coordinator', { municipi: [8, 9] });
    expect(await validateSessionToken(t.db, c, later(1))).toBeNull();
    const actor = await loadActor(t.db, (await validateSessionToken(t.db, await newSession(), later(1)))!.user);
    expect([...actor.municipi].sort()).toEqual([8, 9]);
    const d = await newSession();
    await disableUser(t.db, userId, later(2));
    expect(await validateSessionToken(t.db, d, later(3))).toBeNull();
    // A stolen cookie of a disabled user stays useless even if a session row were left behind.
    const leftBehind = await newSession(later(2));
    expect(await validateSessionToken(t.db, leftBehind, later(3))).toBeNull();
    await t.db.updateTable('app_user').set({ disabled_at: null }).where('id', '=', userId).execute();
  });
});

describe('passwords', () => {
  it('follow the policy: 8 to 64 characters, not a common password, not the email', () => {
    expect(checkNewPassword('short')).toBe('auth.password.tooShort');
    expect(checkNewPassword('x'.repeat(65))).toBe('auth.password.tooLong');
    expect(checkNewPassword('password1')).toBe('auth.password.common');
    expect(checkNewPassword('Qwertyuiop')).toBe('auth.password.common');
    expect(checkNewPassword('mario.rossi', { email: 'mario.rossi@example.org' })).toBe('auth.password.likeEmail');
    expect(checkNewPassword('correct horse battery staple')).toBeUndefined();
    expect(checkNewPassword('🙂🙂🙂🙂🙂🙂🙂🙂')).toBeUndefined();
  });

  it('are hashed with argon2id and set through single-use, expiring links', async () => {
    const row = await t.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const token = await issueUserToken(t.db, userId, 'password_reset', t0);
    expect(await setPasswordWithToken(t.db, token, 'nuova frase sicura', later(61))).toBeUndefined();
    const fresh = await issueUserToken(t.db, userId, 'password_reset', t0);
    expect(await setPasswordWithToken(t.db, fresh, 'nuova frase sicura', later(30))).toBe(userId);
    expect(await setPasswordWithToken(t.db, fresh, 'ancora un’altra', later(31))).toBeUndefined();
    const updated = await t.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(updated.password_hash!, 'nuova frase sicura')).toBe(true);
    expect(await verifyPassword(updated.password_hash!, 'wrong')).toBe(false);
  });
});
