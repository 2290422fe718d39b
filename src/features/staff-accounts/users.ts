// Staff accounts: created by invitation (or the first admin from the command line), passwords
// set through single-use links, disabling and role changes that sign the person out everywhere.
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Role } from '#/server/db/database.ts';
import { hashPassword } from './password.ts';
import { invalidateUserSessions } from './session.ts';
import { runInTransaction } from '#/server/db/transaction.ts';

export interface NewUser {
  email: string;
  displayName: string;
  role: Role;
  organisationId?: number | null;
  municipi?: number[];
  desks?: number[];
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createUser(db: Db, user: NewUser, password?: string): Promise<number> {
  return runInTransaction(db, async (trx) => {
    const row = await trx
      .insertInto('app_user')
      .values({
        email: user.email.trim().toLowerCase(),
        display_name: user.displayName,
        role: user.role,
        organisation_id: user.organisationId ?? null,
        password_hash: password ? await hashPassword(password) : null,
        password_changed_at: password ? new Date() : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (user.municipi?.length)
      await trx
        .insertInto('user_municipio')
        .values(user.municipi.map((m) => ({ user_id: row.id, municipio_id: m })))
        .execute();
    if (user.desks?.length)
      await trx
        .insertInto('user_desk')
        .values(user.desks.map((d) => ({ user_id: row.id, desk_id: d })))
        .execute();
    return row.id;
  });
}

/** A single-use link token (invitation: 72 hours; password reset: 1 hour). Only its hash is stored. */
export async function issueUserToken(
  db: Db,
  userId: number,
  purpose: 'invitation' | 'password_reset',
  now: Date = new Date(),
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const hours = purpose === 'invitation' ? 72 : 1;
  await db
    .insertInto('user_token')
    .values({
      user_id: userId,
      purpose,
      token_hash: hashToken(token),
      expires_at: new Date(now.getTime() + hours * 3600_000),
    })
    .execute();
  return token;
}

/** Spends a link token (once, before it expires) to set a new password; signs the user out everywhere. */
export async function setPasswordWithToken(
  db: Db,
  token: string,
  password: string,
  now: Date = new Date(),
): Promise<number | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const passwordHash = await hashPassword(password);
  return runInTransaction(db, async (trx) => {
    const used = await trx
      .updateTable('user_token')
      .set({ used_at: now })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    if (!used) return undefined;
    const changed = await trx
      .updateTable('app_user')
      .set({ password_hash: passwordHash, password_changed_at: now })
      .where('id', '=', used.user_id)
      .where('disabled_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    // A disabled account's link is spent but sets nothing: the page says the link no longer works.
    if (!changed) return undefined;
    await invalidateUserSessions(trx, used.user_id);
    await voidOpenLinks(trx, used.user_id, now);
    return used.user_id;
  });
}

export async function changePassword(db: Db, userId: number, password: string, now: Date = new Date()): Promise<void> {
  const passwordHash = await hashPassword(password);
  await runInTransaction(db, async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ password_hash: passwordHash, password_changed_at: now })
      .where('id', '=', userId)
      .execute();
    await invalidateUserSessions(trx, userId);
    await voidOpenLinks(trx, userId, now);
  });
}

/**
 * Ends every invitation or reset link of the account not used yet, and withdraws its emails still
 * waiting in the outbox: once the password is set or changed, an older link (in a mailbox someone
 * else may read) must not set it again.
 */
async function voidOpenLinks(trx: Db, userId: number, now: Date): Promise<void> {
  await trx
    .updateTable('user_token')
    .set({ expires_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  const user = await trx.selectFrom('app_user').select('email').where('id', '=', userId).executeTakeFirst();
  if (user) {
    await trx
      .updateTable('outbox')
      .set({ status: 'cancelled' })
      .where('recipient', '=', user.email)
      .where('kind', 'in', ['staff_invitation', 'staff_password_reset'])
      .where('status', '=', 'pending')
      .execute();
  }
}

export async function disableUser(db: Db, userId: number, now: Date = new Date()): Promise<void> {
  await runInTransaction(db, async (trx) => {
    await trx.updateTable('app_user').set({ disabled_at: now }).where('id', '=', userId).execute();
    await invalidateUserSessions(trx, userId);
    // A disabled account gets no way back in.
    await voidOpenLinks(trx, userId, now);
  });
}

export async function changeRole(
  db: Db,
  userId: number,
  role: Role,
  scope: { organisationId?: number | null; municipi?: number[]; desks?: number[] },
): Promise<void> {
  await runInTransaction(db, async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ role, organisation_id: scope.organisationId ?? null })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('user_municipio').where('user_id', '=', userId).execute();
    await trx.deleteFrom('user_desk').where('user_id', '=', userId).execute();
    if (scope.municipi?.length)
      await trx
        .insertInto('user_municipio')
        .values(scope.municipi.map((m) => ({ user_id: userId, municipio_id: m })))
        .execute();
    if (scope.desks?.length)
      await trx
        .insertInto('user_desk')
        .values(scope.desks.map((d) => ({ user_id: userId, desk_id: d })))
        .execute();
    await invalidateUserSessions(trx, userId);
  });
}
