// Staff sign-in on the real database: throttling per account and per IP with the audit trail,
// TOTP and recovery codes, invitations and password resets (with their emails through the
// outbox), demo accounts, the `next` check, and `npm run user:create`. PGlite and PostgreSQL.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messageRenderers } from '#/messages/index.ts';
import {
  COMPILE_CACHE_ENV,
  createTestDatabase,
  templatePath,
  testDatabaseUrl,
  type TestDatabase,
} from '../support/db.ts';
import { TEST_NODE_FLAGS } from '../support/node-flags.ts';
import { scratchRoot } from '../support/scratch.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { openDatabase } from '#/server/db/connection.ts';
import { changePassword, createUser, disableUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken, validateSessionToken } from '#/features/staff-accounts/session.ts';
import { attemptGuarded, attemptSignIn, throttlePasswordReset } from '#/features/staff-accounts/throttle.ts';
import { safeNext } from '#/features/staff-accounts/sign-in-session.ts';
import {
  inviteUser,
  readLinkToken,
  requestPasswordReset,
  setPasswordFromLink,
} from '#/features/staff-accounts/invitations.ts';
import {
  beginTotpSetup,
  enableTotp,
  getTotpState,
  hashRecoveryCode,
  totpCode,
  verifySecondFactor,
} from '#/features/staff-accounts/totp.ts';
import { reencryptStoredSecrets } from '#/server/security/secret.ts';
import { createDemoAccounts, formatDemoAccounts } from '#/features/staff-accounts/demo.ts';
import { verifyPassword } from '#/features/staff-accounts/password.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';
import { claimDueMessages, deliverMessage } from '#/server/mail/worker.ts';
import type { Mailer } from '#/server/mail/mailer.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';

let t: TestDatabase;
const PASSWORD = 'una frase lunga e sicura';
let coordinatorId: number;
let adminActor: Actor;
let coordinatorActor: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db);
  const adminId = await createUser(
    t.db,
    { email: 'admin@comune.example', displayName: 'Admin', role: 'admin' },
    PASSWORD,
  );
  coordinatorId = await createUser(
    t.db,
    { email: 'coord8@comune.example', displayName: 'Coordinatrice 8', role: 'coordinator', municipi: [8] },
    PASSWORD,
  );
  adminActor = { id: adminId, role: 'admin', organisationId: null, municipi: [], desks: [] };
  coordinatorActor = { id: coordinatorId, role: 'coordinator', organisationId: null, municipi: [8], desks: [] };
});
afterAll(() => t.close());

const audit = (action: string) =>
  t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

describe('sign-in attempts', () => {
  beforeEach(async () => {
    await t.db.deleteFrom('rate_limit').execute();
    await t.db.deleteFrom('audit_log').execute();
  });

  it('sign in with the right password, and say nothing more than "invalid" otherwise', async () => {
    const ok = await attemptSignIn(t.db, { email: ' Coord8@Comune.Example ', password: PASSWORD, ip: '10.0.0.1' });
    expect(ok).toEqual({ ok: true, user: { id: coordinatorId, totpEnabled: false } });
    expect(
      await attemptSignIn(t.db, { email: 'coord8@comune.example', password: 'wrong password', ip: '10.0.0.1' }),
    ).toEqual({ ok: false, reason: 'invalid' });
    expect(await attemptSignIn(t.db, { email: 'nobody@comune.example', password: PASSWORD, ip: '10.0.0.1' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const invited = await createUser(t.db, {
      email: 'nopassword@comune.example',
      displayName: 'Invited',
      role: 'coordinator',
    });
    expect(await attemptSignIn(t.db, { email: 'nopassword@comune.example', password: '', ip: '10.0.0.1' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect((await audit('auth.sign_in')).map((r) => r.actor_user_id)).toEqual([coordinatorId]);
    const failed = await audit('auth.sign_in_failed');
    expect(failed.map((r) => r.detail.reason)).toEqual(['wrong_password', 'unknown_account', 'no_password']);
    expect(failed.map((r) => r.actor_user_id)).toEqual([coordinatorId, null, invited]);
    // Nothing secret in the log.
    expect(JSON.stringify(failed)).not.toContain('wrong password');
    expect(JSON.stringify(failed)).not.toContain('10.0.0.1');
  });

  it('lock an address out of an account after 5 failures in 15 minutes, even for the right password, and log each failure and the lockout; the owner signs in at once from another address', async () => {
    const t0 = new Date('2030-01-01T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      expect(
        await attemptSignIn(
          t.db,
          { email: 'coord8@comune.example', password: `guess ${i}`, ip: '10.0.1.2' },
          new Date(t0.getTime() + i * 1000),
        ),
      ).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(await audit('auth.locked')).toHaveLength(0);
    const refused = await attemptSignIn(
      t.db,
      { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.1.2' },
      new Date(t0.getTime() + 10_000),
    );
    expect(refused).toEqual({ ok: false, reason: 'throttled', retryAfterSeconds: 15 * 60 - 10 });
    expect(
      await attemptSignIn(
        t.db,
        { email: 'coord8@comune.example', password: 'more', ip: '10.0.1.2' },
        new Date(t0.getTime() + 11_000),
      ),
    ).toMatchObject({ reason: 'throttled' });
    expect(await audit('auth.sign_in_failed')).toHaveLength(5);
    const locked = await audit('auth.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({
      actor_user_id: coordinatorId,
      subject: `user:${coordinatorId}`,
      detail: { step: 'sign_in', scope: 'account_ip' },
    });
    // The owner, from an address with no failures, is not kept out (OWASP ASVS 6.3).
    expect(
      await attemptSignIn(
        t.db,
        { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.1.3' },
        new Date(t0.getTime() + 12_000),
      ),
    ).toEqual({ ok: true, user: { id: coordinatorId, totpEnabled: false } });
    // After the window the right password works again from the attacker's address too.
    expect(
      (
        await attemptSignIn(
          t.db,
          { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.1.2' },
          new Date(t0.getTime() + 15 * 60_000 + 1000),
        )
      ).ok,
    ).toBe(true);
  });

  it('only slow an account attacked from many addresses: past 10 failures each address gets one attempt, and the owner still signs in', async () => {
    const t0 = new Date('2030-01-01T12:00:00Z');
    // 20 requests an hour from 20 addresses used to keep an account out for good.
    for (let i = 0; i < 20; i++) {
      expect(
        await attemptSignIn(
          t.db,
          { email: 'coord8@comune.example', password: `guess ${i}`, ip: `10.0.9.${i}` },
          new Date(t0.getTime() + i * 1000),
        ),
      ).toEqual({ ok: false, reason: 'invalid' });
    }
    // An address that already failed on this account is refused while the account is slowed…
    expect(
      await attemptSignIn(
        t.db,
        { email: 'coord8@comune.example', password: 'again', ip: '10.0.9.15' },
        new Date(t0.getTime() + 30_000),
      ),
    ).toMatchObject({ ok: false, reason: 'throttled' });
    // …the owner's first attempt from a clean address is checked, and the right password works.
    expect(
      (
        await attemptSignIn(
          t.db,
          { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.9.200' },
          new Date(t0.getTime() + 31_000),
        )
      ).ok,
    ).toBe(true);
    expect((await audit('auth.locked')).map((r) => r.detail.scope)).toEqual(['account']);
  });

  it('throttle an unknown address exactly like a known one', async () => {
    const t0 = new Date('2030-01-02T10:00:00Z');
    for (let i = 0; i < 5; i++)
      await attemptSignIn(t.db, { email: 'ghost@comune.example', password: 'x', ip: '10.0.2.1' }, t0);
    expect(
      await attemptSignIn(t.db, { email: 'ghost@comune.example', password: 'x', ip: '10.0.2.1' }, t0),
    ).toMatchObject({ reason: 'throttled' });
    for (let i = 0; i < 5; i++)
      await attemptSignIn(t.db, { email: 'coord8@comune.example', password: 'x', ip: '10.0.2.2' }, t0);
    expect(
      await attemptSignIn(t.db, { email: 'coord8@comune.example', password: 'x', ip: '10.0.2.2' }, t0),
    ).toMatchObject({ reason: 'throttled' });
  });

  it('lock an IP after 30 failures in an hour across accounts; successes do not count', async () => {
    const t0 = new Date('2030-01-03T10:00:00Z');
    for (let i = 0; i < 10; i++)
      expect(
        (await attemptSignIn(t.db, { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.3.1' }, t0)).ok,
      ).toBe(true);
    for (let i = 0; i < 30; i++)
      expect(
        await attemptSignIn(t.db, { email: `user${i}@comune.example`, password: 'x', ip: '10.0.3.1' }, t0),
      ).toEqual({ ok: false, reason: 'invalid' });
    expect(
      await attemptSignIn(t.db, { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.3.1' }, t0),
    ).toEqual({ ok: false, reason: 'throttled', retryAfterSeconds: 3600 });
    expect((await audit('auth.locked')).map((r) => r.detail.scope)).toEqual(['ip']);
    // Another address is not affected.
    expect(
      (await attemptSignIn(t.db, { email: 'coord8@comune.example', password: PASSWORD, ip: '10.0.3.2' }, t0)).ok,
    ).toBe(true);
  });

  it('count parallel guesses atomically: never more than 5 checked from one address', async () => {
    const t0 = new Date('2030-01-04T10:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        attemptSignIn(t.db, { email: 'admin@comune.example', password: `guess ${i}`, ip: '10.0.4.1' }, t0),
      ),
    );
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(7);
    expect(await audit('auth.sign_in_failed')).toHaveLength(5);
    expect(await audit('auth.locked')).toHaveLength(1);
  });

  it('throttle second-factor and current-password guesses per user', async () => {
    const t0 = new Date('2030-01-05T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      expect(
        await attemptGuarded(
          t.db,
          { userId: coordinatorId, ip: '10.0.5.1', step: 'second_factor' },
          async () => false as const,
          t0,
        ),
      ).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(
      await attemptGuarded(
        t.db,
        { userId: coordinatorId, ip: '10.0.5.1', step: 'second_factor' },
        async () => 'totp',
        t0,
      ),
    ).toMatchObject({ ok: false, reason: 'throttled' });
    expect(
      await attemptGuarded(
        t.db,
        { userId: coordinatorId, ip: '10.0.5.2', step: 'password_check' },
        async () => true,
        t0,
      ),
    ).toEqual({ ok: true, value: true });
    expect(await audit('auth.second_factor_failed')).toHaveLength(5);
    expect((await audit('auth.locked')).map((r) => r.detail.step)).toEqual(['second_factor']);
  });

  it('refuse password resets past the per-IP limit and stop mailing one address after 3 an hour', async () => {
    const t0 = new Date('2030-01-06T10:00:00Z');
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(await throttlePasswordReset(t.db, 'coord8@comune.example', '10.0.6.1', t0));
    expect(results.map((r) => r.allowed && r.send)).toEqual([true, true, true, false]);
    for (let i = 0; i < 6; i++) await throttlePasswordReset(t.db, `other${i}@comune.example`, '10.0.6.1', t0);
    expect(await throttlePasswordReset(t.db, 'x@comune.example', '10.0.6.1', t0)).toEqual({
      allowed: false,
      retryAfterSeconds: 3600,
    });
  });
});

describe('sessions', () => {
  it('a stolen session cookie of a disabled user is refused', async () => {
    const id = await createUser(
      t.db,
      { email: 'leaving@comune.example', displayName: 'Leaving', role: 'coordinator', municipi: [8] },
      PASSWORD,
    );
    const token = generateSessionToken();
    await createSession(t.db, token, id, { twoFactorVerified: true });
    expect(await validateSessionToken(t.db, token)).not.toBeNull();
    await disableUser(t.db, id);
    expect(await validateSessionToken(t.db, token)).toBeNull();
    // Nor can the person sign in again.
    expect(await attemptSignIn(t.db, { email: 'leaving@comune.example', password: PASSWORD, ip: '10.0.7.1' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect((await audit('auth.sign_in_failed')).at(-1)?.detail.reason).toBe('disabled');
  });

  it('go after sign-in only to a path of the staff area', () => {
    expect(safeNext('/it/staff/agenda?day=2030-01-01', 'it')).toBe('/it/staff/agenda?day=2030-01-01');
    expect(safeNext('/en/staff', 'it')).toBe('/en/staff');
    expect(safeNext(null, 'en')).toBe('/en/staff');
    for (const bad of [
      'https://evil.example/it/staff',
      '//evil.example/it/staff',
      '/\\evil.example',
      '/it/staffevil',
      '/it/eventi',
      '/ar/staff',
      '/it/staff/../../evil',
      '/it/staff/accesso',
      'javascript:alert(1)',
      '/it/staff\n/x',
      '/%2F%2Fevil.example',
    ]) {
      expect(safeNext(bad, 'it'), bad).toBe('/it/staff');
    }
  });
});

describe('TOTP', () => {
  it('is set up with a code, stores only hashes of 10 recovery codes, each usable once', async () => {
    const id = await createUser(t.db, { email: 'totp@comune.example', displayName: 'Totp', role: 'admin' }, PASSWORD);
    const secret = await beginTotpSetup(t.db, id);
    expect(await beginTotpSetup(t.db, id)).toBe(secret); // a reload shows the same secret
    expect((await getTotpState(t.db, id)).enabled).toBe(false);
    expect(await enableTotp(t.db, id, '000000' === totpCode(secret) ? '111111' : '000000')).toBeUndefined();
    const codes = await enableTotp(t.db, id, totpCode(secret));
    expect(codes).toHaveLength(10);
    const state = await getTotpState(t.db, id);
    expect(state).toMatchObject({ enabled: true, pendingSecret: null, recoveryCodesLeft: 10 });
    const stored = await t.db.selectFrom('recovery_code').select('code_hash').where('user_id', '=', id).execute();
    expect(stored.map((r) => r.code_hash).sort()).toEqual(codes!.map(hashRecoveryCode).sort());
    expect(JSON.stringify(stored)).not.toContain(codes![0]!.replace('-', ''));

    // The code that turned TOTP on is spent: the second step needs the next one.
    expect(await verifySecondFactor(t.db, id, totpCode(secret))).toBe(false);
    expect(await verifySecondFactor(t.db, id, totpCode(secret, new Date(Date.now() + 30_000)))).toBe('totp');
    expect(await verifySecondFactor(t.db, id, codes![0]!.toLowerCase())).toBe('recovery');
    expect(await verifySecondFactor(t.db, id, codes![0]!)).toBe(false);
    expect((await getTotpState(t.db, id)).recoveryCodesLeft).toBe(9);
    expect(await verifySecondFactor(t.db, id, 'ABCDE-FGHJK')).toBe(false);
    // Sign-in now says a second factor is pending.
    expect(await attemptSignIn(t.db, { email: 'totp@comune.example', password: PASSWORD, ip: '10.0.8.1' })).toEqual({
      ok: true,
      user: { id, totpEnabled: true },
    });
  });

  it('accepts each code once: a replayed code, or one of an earlier step, is refused', async () => {
    const id = await createUser(
      t.db,
      { email: 'replay@comune.example', displayName: 'Replay', role: 'admin' },
      PASSWORD,
    );
    const secret = await beginTotpSetup(t.db, id);
    const t0 = new Date('2030-02-01T10:00:00Z');
    expect(await enableTotp(t.db, id, totpCode(secret, t0), t0)).toHaveLength(10);
    const next = new Date(t0.getTime() + 30_000);
    expect(await verifySecondFactor(t.db, id, totpCode(secret, next), next)).toBe('totp');
    // The same code a second later (an onlooker, a proxy log, a double submit) is refused.
    expect(await verifySecondFactor(t.db, id, totpCode(secret, next), new Date(next.getTime() + 1000))).toBe(false);
    // So is the code of the step before, though still within the drift window.
    expect(await verifySecondFactor(t.db, id, totpCode(secret, t0), next)).toBe(false);
    // Two requests racing with one fresh code: one passes.
    const later = new Date(t0.getTime() + 90_000);
    const raced = await Promise.all([
      verifySecondFactor(t.db, id, totpCode(secret, later), later),
      verifySecondFactor(t.db, id, totpCode(secret, later), later),
    ]);
    expect(raced.filter((r) => r === 'totp')).toHaveLength(1);
  });

  it('stores the secret encrypted with the key from APP_SECRET, and re-encrypts it when the key is rotated', async () => {
    const ROTATED_KEY = 'a new secret of at least thirty-two characters';
    const id = await createUser(
      t.db,
      { email: 'atrest@comune.example', displayName: 'At rest', role: 'admin' },
      PASSWORD,
    );
    const secret = await beginTotpSetup(t.db, id);
    const stored = async () =>
      (await t.db.selectFrom('app_user').select('totp_secret').where('id', '=', id).executeTakeFirstOrThrow())
        .totp_secret!;
    expect(await stored()).toMatch(/^enc1:/);
    expect(await stored()).not.toContain(secret);
    expect(await getTotpState(t.db, id)).toMatchObject({ pendingSecret: secret });
    const before = await stored();
    const saved = { current: process.env.APP_SECRET, previous: process.env.APP_SECRET_PREVIOUS };
    try {
      // Rotation: the new secret in APP_SECRET, the old one in APP_SECRET_PREVIOUS, then a start.
      process.env.APP_SECRET_PREVIOUS = saved.current ?? 'qubi-development-only-not-secret';
      process.env.APP_SECRET = ROTATED_KEY;
      expect(await getTotpState(t.db, id)).toMatchObject({ pendingSecret: secret }); // still read
      expect(await reencryptStoredSecrets(t.db)).toBeGreaterThanOrEqual(2); // this secret and the server secret
      expect(await stored()).not.toBe(before);
      delete process.env.APP_SECRET_PREVIOUS;
      expect(await getTotpState(t.db, id)).toMatchObject({ pendingSecret: secret });
      // Without the key it was made with, a value is refused, not misread.
      process.env.APP_SECRET = 'yet another secret nobody configured here';
      await expect(getTotpState(t.db, id)).rejects.toThrow(/APP_SECRET_PREVIOUS/);
    } finally {
      // Rotated back, every stored secret of this database (the server secret, other users' TOTP
      // secrets) included: the file's later tests, and the processes they start with this run's
      // APP_SECRET, must read them.
      process.env.APP_SECRET = saved.current ?? 'qubi-development-only-not-secret';
      process.env.APP_SECRET_PREVIOUS = ROTATED_KEY;
      await reencryptStoredSecrets(t.db);
      for (const [name, value] of [
        ['APP_SECRET', saved.current],
        ['APP_SECRET_PREVIOUS', saved.previous],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await t.db.updateTable('app_user').set({ totp_secret: before }).where('id', '=', id).execute();
    }
  });
});

describe('invitations and password resets', () => {
  const mailer = () => {
    const sent: Parameters<Mailer['send']>[0][] = [];
    return { sent, send: async (m: Parameters<Mailer['send']>[0]) => void sent.push(m) };
  };

  it('an admin invites anyone; a coordinator only operators and partners of their municipio', async () => {
    const desks = await t.db.selectFrom('desk').select(['id', 'slug', 'municipio_id']).execute();
    const qo = desks.find((d) => d.slug === 'quarto-oggiaro')!;
    expect(
      await inviteUser(t.db, coordinatorActor, {
        email: 'newcoord@comune.example',
        displayName: 'New',
        role: 'coordinator',
        municipi: [8],
      }),
    ).toEqual({ ok: false, reason: 'forbidden' });
    expect(
      await inviteUser(t.db, coordinatorActor, {
        email: 'op2@comune.example',
        displayName: 'Op',
        role: 'desk_operator',
        municipi: [2],
      }),
    ).toEqual({ ok: false, reason: 'forbidden' });
    expect(
      await inviteUser(t.db, coordinatorActor, {
        email: 'op@comune.example',
        displayName: 'Op',
        role: 'desk_operator',
        desks: [999999],
      }),
    ).toEqual({ ok: false, reason: 'invalid' });
    expect(
      await inviteUser(t.db, coordinatorActor, {
        email: 'not an email',
        displayName: 'Op',
        role: 'desk_operator',
        desks: [qo.id],
      }),
    ).toEqual({ ok: false, reason: 'invalid' });
    const op = await inviteUser(t.db, coordinatorActor, {
      email: 'Op.QO@Comune.Example',
      displayName: 'Operatore QO',
      role: 'desk_operator',
      desks: [qo.id],
      locale: 'en',
    });
    expect(op.ok).toBe(true);
    expect(
      await inviteUser(t.db, adminActor, {
        email: 'op.qo@comune.example',
        displayName: 'Again',
        role: 'desk_operator',
        desks: [qo.id],
      }),
    ).toEqual({ ok: false, reason: 'email_taken' });
    // A coordinator cannot probe which addresses have accounts: an existing one (here an admin's)
    // gets the answer of a new one, and nothing is created, changed or sent.
    const outboxBefore = (await t.db.selectFrom('outbox').select('id').execute()).length;
    const probe = await inviteUser(t.db, coordinatorActor, {
      email: 'Admin@Comune.Example',
      displayName: 'Probe',
      role: 'desk_operator',
      desks: [qo.id],
    });
    expect(probe).toEqual({ ok: true, userId: null });
    expect((await t.db.selectFrom('outbox').select('id').execute()).length).toBe(outboxBefore);
    expect(
      await t.db
        .selectFrom('app_user')
        .select(['role', 'display_name'])
        .where('email', '=', 'admin@comune.example')
        .executeTakeFirstOrThrow(),
    ).toEqual({ role: 'admin', display_name: 'Admin' });
    expect((await audit('user.invite_existing')).map((r) => r.actor_user_id)).toEqual([adminActor.id, coordinatorId]);
    expect(
      (await inviteUser(t.db, adminActor, { email: 'admin2@comune.example', displayName: 'Admin 2', role: 'admin' }))
        .ok,
    ).toBe(true);
    expect(await audit('user.invited')).toHaveLength(2);

    const userId = (op as { userId: number }).userId;
    const user = await t.db.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: 'op.qo@comune.example', role: 'desk_operator', password_hash: null });
    expect((await loadActor(t.db, { id: userId, role: 'desk_operator', organisationId: null } as never)).desks).toEqual(
      [qo.id],
    );
    const message = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', 'staff_invitation')
      .where('recipient', '=', 'op.qo@comune.example')
      .executeTakeFirstOrThrow();
    expect(message.locale).toBe('en');
    const token = message.payload.token as string;
    expect(await readLinkToken(t.db, token, 'invitation')).toEqual({
      userId,
      email: 'op.qo@comune.example',
      displayName: 'Operatore QO',
    });
    expect(await readLinkToken(t.db, token, 'password_reset')).toBeUndefined();

    // The worker sends it with the link, then forgets the token.
    await t.db
      .updateTable('outbox')
      .set({ status: 'cancelled' })
      .where('id', '!=', message.id)
      .where('status', '=', 'pending')
      .execute();
    const m = mailer();
    const claimed = await claimDueMessages(t.db, new Date(Date.now() + 1000), 10);
    expect(claimed.map((c) => c.id)).toEqual([message.id]);
    expect(
      await deliverMessage(t.db, claimed[0]!, new Date(), {
        mailer: m,
        renderers: messageRenderers,
        origin: 'https://qubi.example.org',
        log: () => {},
      }),
    ).toBe('sent');
    expect(m.sent[0]!.subject).toBe('Your invitation to the QuBì staff area');
    expect(m.sent[0]!.text).toContain(`https://qubi.example.org/en/staff/invito?token=${token}`);
    const after = await t.db
      .selectFrom('outbox')
      .select('payload')
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    expect(after.payload.token).toBeUndefined();

    // The link sets a password that follows the policy, once.
    expect(await setPasswordFromLink(t.db, token, 'invitation', 'password1')).toEqual({
      ok: false,
      reason: 'password',
      messageKey: 'auth.password.common',
    });
    expect(await setPasswordFromLink(t.db, token, 'invitation', 'op.qo')).toEqual({
      ok: false,
      reason: 'password',
      messageKey: 'auth.password.tooShort',
    });
    expect(await setPasswordFromLink(t.db, token, 'invitation', 'il mio sportello del martedì')).toEqual({
      ok: true,
      userId,
    });
    expect(await setPasswordFromLink(t.db, token, 'invitation', 'il mio sportello del martedì')).toEqual({
      ok: false,
      reason: 'invalid_link',
    });
    expect(await readLinkToken(t.db, token, 'invitation')).toBeUndefined();
    expect(
      (
        await attemptSignIn(t.db, {
          email: 'op.qo@comune.example',
          password: 'il mio sportello del martedì',
          ip: '10.0.9.1',
        })
      ).ok,
    ).toBe(true);
    expect(await audit('auth.invitation_accepted')).toHaveLength(1);
  });

  it('a reset is queued only for an enabled account, and its link expires after an hour', async () => {
    await t.db.deleteFrom('outbox').execute();
    await requestPasswordReset(t.db, 'nobody@comune.example', 'it');
    await requestPasswordReset(t.db, 'leaving@comune.example', 'it'); // disabled above
    expect(await t.db.selectFrom('outbox').selectAll().execute()).toHaveLength(0);
    const t0 = new Date();
    await requestPasswordReset(t.db, 'COORD8@comune.example', 'it', t0);
    const rows = await t.db.selectFrom('outbox').selectAll().execute();
    expect(rows.map((r) => [r.kind, r.recipient, r.locale])).toEqual([
      ['staff_password_reset', 'coord8@comune.example', 'it'],
    ]);
    const token = rows[0]!.payload.token as string;
    expect(await readLinkToken(t.db, token, 'password_reset', new Date(t0.getTime() + 61 * 60_000))).toBeUndefined();
    const session = generateSessionToken();
    await createSession(t.db, session, coordinatorId, { twoFactorVerified: false });
    expect(await setPasswordFromLink(t.db, token, 'password_reset', 'coordinamento municipio otto')).toEqual({
      ok: true,
      userId: coordinatorId,
    });
    // Every session ended with the reset.
    expect(await validateSessionToken(t.db, session)).toBeNull();
    const user = await t.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', coordinatorId)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(user.password_hash!, 'coordinamento municipio otto')).toBe(true);
    expect(await audit('auth.password_reset_requested')).toHaveLength(1);
  });

  it('using a reset link, or changing the password, voids every other reset link of the account', async () => {
    const id = await createUser(
      t.db,
      { email: 'twolinks@comune.example', displayName: 'Two links', role: 'coordinator', municipi: [8] },
      PASSWORD,
    );
    const links = async () => {
      const rows = await t.db
        .selectFrom('outbox')
        .select(['id', 'payload', 'status'])
        .where('recipient', '=', 'twolinks@comune.example')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, status: r.status, token: (r.payload as { token: string }).token }));
    };
    await requestPasswordReset(t.db, 'twolinks@comune.example', 'it');
    await requestPasswordReset(t.db, 'twolinks@comune.example', 'en');
    const [first, second] = await links();
    // The first email went out; the second is still waiting when the first link is used.
    await t.db.updateTable('outbox').set({ status: 'sent' }).where('id', '=', first!.id).execute();
    expect(await setPasswordFromLink(t.db, first!.token, 'password_reset', 'la prima nuova frase lunga')).toEqual({
      ok: true,
      userId: id,
    });
    expect(await readLinkToken(t.db, second!.token, 'password_reset')).toBeUndefined();
    expect(await setPasswordFromLink(t.db, second!.token, 'password_reset', 'una frase di chi ha la posta')).toEqual({
      ok: false,
      reason: 'invalid_link',
    });
    expect((await links())[1]!.status).toBe('cancelled');

    await requestPasswordReset(t.db, 'twolinks@comune.example', 'it');
    const third = (await links())[2]!;
    await changePassword(t.db, id, 'cambiata dalla pagina account');
    expect(await setPasswordFromLink(t.db, third.token, 'password_reset', 'una frase di chi ha la posta')).toEqual({
      ok: false,
      reason: 'invalid_link',
    });
    const user = await t.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(user.password_hash!, 'cambiata dalla pagina account')).toBe(true);
  });

  it('disabling an invited account withdraws its waiting invitation and voids its link', async () => {
    const invited = await inviteUser(t.db, adminActor, {
      email: 'ritirato@comune.example',
      displayName: 'Ritirato',
      role: 'coordinator',
      municipi: [8],
    });
    expect(invited.ok).toBe(true);
    const userId = (invited as { userId: number }).userId;
    const message = await t.db
      .selectFrom('outbox')
      .select(['id', 'status', 'payload'])
      .where('recipient', '=', 'ritirato@comune.example')
      .where('kind', '=', 'staff_invitation')
      .executeTakeFirstOrThrow();
    expect(message.status).toBe('pending');
    const token = (message.payload as { token: string }).token;

    await disableUser(t.db, userId);

    const after = await t.db
      .selectFrom('outbox')
      .select('status')
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('cancelled');
    expect(await setPasswordFromLink(t.db, token, 'invitation', 'una nuova frase lunga')).toEqual({
      ok: false,
      reason: 'invalid_link',
    });
    const user = await t.db
      .selectFrom('app_user')
      .select(['password_hash'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();
  });
});

describe('demo accounts', () => {
  it('are four accounts whose printed credentials work; the admin must set up TOTP', async () => {
    const accounts = await createDemoAccounts(t.db);
    expect(accounts.map((a) => a.role)).toEqual(['admin', 'coordinator', 'desk_operator', 'partner_editor']);
    for (const a of accounts)
      expect(
        await attemptSignIn(t.db, { email: a.email, password: a.password, ip: `10.0.10.${a.role.length}` }),
        a.role,
      ).toMatchObject({ ok: true, user: { totpEnabled: false } });
    const operator = await t.db
      .selectFrom('app_user')
      .innerJoin('user_desk', 'user_desk.user_id', 'app_user.id')
      .innerJoin('desk', 'desk.id', 'user_desk.desk_id')
      .select('desk.slug')
      .where('app_user.email', '=', accounts[2]!.email)
      .execute();
    expect(operator.map((d) => d.slug)).toEqual(['quarto-oggiaro']);
    const partner = await t.db
      .selectFrom('app_user')
      .innerJoin('organisation', 'organisation.id', 'app_user.organisation_id')
      .select('organisation.slug')
      .where('app_user.email', '=', accounts[3]!.email)
      .executeTakeFirstOrThrow();
    expect(partner.slug).toBe('comunita-oklahoma');
    const text = formatDemoAccounts(accounts, 'http://localhost:4321');
    for (const a of accounts) expect(text).toContain(`[demo] ${a.role} | ${a.email} | ${a.password} |`);
    expect(text).toContain('http://localhost:4321/it/staff/accesso');
  });

  it('are never created in production', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(createDemoAccounts(t.db)).rejects.toThrow('never created in production');
    } finally {
      process.env.NODE_ENV = before;
    }
  });
});

describe('npm run user:create', () => {
  async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, [...TEST_NODE_FLAGS, 'scripts/user-create.ts', ...args], {
      env: {
        ...process.env,
        // The run's cache of compiled modules, as the servers have (tests/support/server.ts).
        ...(process.env[COMPILE_CACHE_ENV] ? { NODE_COMPILE_CACHE: process.env[COMPILE_CACHE_ENV] } : {}),
        DATABASE_URL: '',
        PUBLIC_URL: 'https://qubi.example.org',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, out };
  }

  it('creates the first admin with a password, or prints a one-time invitation link', async () => {
    const dataDir = await mkdtemp(path.join(scratchRoot, 'qubi-usercreate-'));
    const env = testDatabaseUrl ? { ...t.env, DATA_DIR: dataDir } : { DATA_DIR: dataDir };
    // The embedded database as `npm start` leaves it on a first start (migrated and seeded), copied
    // from this run's template: each run of the script opens it from disk instead of first making it
    // (initdb, every migration and the seed took most of this test's ~40 s on a busy machine).
    const seeded = testDatabaseUrl ? undefined : await templatePath('seeded');
    if (seeded) await cp(path.join(seeded, 'pgdata'), path.join(dataDir, 'pgdata'), { recursive: true });
    try {
      // A weak password and an unknown role are refused before the database is opened: those two
      // runs go beside the first that opens it (the embedded database takes one process at a time),
      // not one after the other (each run is a process that loads the app, ~1–3 s).
      const [weak, root, withPassword] = await Promise.all([
        run(['--email', 'first@comune.example', '--role', 'admin', '--password', 'password'], env),
        run(['--email', 'first@comune.example', '--role', 'root'], env),
        run(
          [
            '--email',
            'First@Comune.Example',
            '--role',
            'admin',
            '--name',
            'Prima Admin',
            '--password',
            'una password da amministratrice',
          ],
          env,
        ),
      ]);
      expect(weak.code).toBe(2);
      expect(weak.out).toContain('most common');
      expect(root.code).toBe(2);
      expect(withPassword.out).toContain('Created admin first@comune.example');
      expect(withPassword.code).toBe(0);
      const again = await run(['--email', 'first@comune.example', '--role', 'admin'], env);
      expect(again.code).toBe(2);
      expect(again.out).toContain('exists already');
      const invited = await run(
        ['--email', 'second@comune.example', '--role', 'coordinator', '--municipio', '8', '--locale', 'en'],
        env,
      );
      expect(invited.code).toBe(0);
      const link = /https:\/\/qubi\.example\.org\/en\/staff\/invito\?token=([A-Za-z0-9_-]{43})/.exec(invited.out);
      expect(link, invited.out).not.toBeNull();

      const db = testDatabaseUrl ? t.db : await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pgdata') });
      try {
        const first = await db
          .selectFrom('app_user')
          .selectAll()
          .where('email', '=', 'first@comune.example')
          .executeTakeFirstOrThrow();
        expect(first).toMatchObject({ role: 'admin', display_name: 'Prima Admin' });
        expect(await verifyPassword(first.password_hash!, 'una password da amministratrice')).toBe(true);
        expect(await readLinkToken(db, link![1], 'invitation')).toMatchObject({ email: 'second@comune.example' });
        const scope = await db
          .selectFrom('user_municipio')
          .innerJoin('app_user', 'app_user.id', 'user_municipio.user_id')
          .select('municipio_id')
          .where('email', '=', 'second@comune.example')
          .execute();
        expect(scope).toEqual([{ municipio_id: 8 }]);
      } finally {
        if (!testDatabaseUrl) await db.destroy();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
