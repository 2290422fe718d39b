// Accounts come from invitations; passwords are set and reset through single-use links sent by email.
//   inviteUser: an admin or coordinator (as the policy allows) invites by email; the person gets a
//     72-hour link to set their password (`staff_invitation`).
//   requestPasswordReset: a 1-hour link (`staff_password_reset`) if the address has an account;
//     the page answers the same either way.
//   readLinkToken / setPasswordFromLink: the pages behind those links.
import { createHash } from 'node:crypto';
import { STAFF_LOCALES, type StaffLocale } from '#/lib/locales.ts';
import type { Db } from '#/server/db/database.ts';
import { can, type Actor } from './policy.ts';
import { enqueueMessage } from '#/server/mail/outbox.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { createUser, issueUserToken, setPasswordWithToken, type NewUser } from './users.ts';
import { checkNewPassword } from './password.ts';
import { writeAudit } from '#/features/audit/audit.ts';

export type LinkPurpose = 'invitation' | 'password_reset';

export const isStaffLocale = (value: unknown): value is StaffLocale =>
  typeof value === 'string' && (STAFF_LOCALES as readonly string[]).includes(value);

/** `userId` null: nothing was created, as the address has an account (the inviter is not told which). */
export type InviteResult =
  { ok: true; userId: number | null } | { ok: false; reason: 'forbidden' | 'email_taken' | 'invalid' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Creates the account without a password, issues the invitation link and queues its email, in one
 * transaction; only when `can(inviter, user.invite …)` allows this role and scope.
 *
 * An address that already has an account: an admin (who sees every account anyway) is told
 * `email_taken`; anyone else gets the answer of a new address, so the invitation form cannot be
 * used to probe which addresses have staff accounts. The attempt is in the audit log.
 */
export async function inviteUser(
  db: Db,
  inviter: Actor,
  newUser: NewUser & { locale?: StaffLocale },
): Promise<InviteResult> {
  const email = newUser.email.trim().toLowerCase();
  const displayName = newUser.displayName.trim();
  if (!EMAIL.test(email) || email.length > 254 || displayName.length < 1 || displayName.length > 120)
    return { ok: false, reason: 'invalid' };
  if (newUser.role === 'partner_editor' && !newUser.organisationId) return { ok: false, reason: 'invalid' };
  const deskIds = [...new Set(newUser.desks ?? [])];
  const desks = deskIds.length
    ? await db.selectFrom('desk').select(['id', 'municipio_id']).where('id', 'in', deskIds).execute()
    : [];
  if (desks.length !== deskIds.length) return { ok: false, reason: 'invalid' };
  const org = newUser.organisationId
    ? await db
        .selectFrom('organisation')
        .select(['id', 'municipio_id'])
        .where('id', '=', newUser.organisationId)
        .executeTakeFirst()
    : undefined;
  if (newUser.organisationId && !org) return { ok: false, reason: 'invalid' };
  const organisation = org ? { id: org.id, municipioId: org.municipio_id } : null;
  const operation = {
    kind: 'user.invite' as const,
    role: newUser.role,
    municipi: newUser.municipi ?? [],
    desks: desks.map((d) => ({ id: d.id, municipioId: d.municipio_id })),
    organisation,
  };
  if (!can(inviter, operation)) return { ok: false, reason: 'forbidden' };
  const taken = await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) return existingAccount(db, inviter, taken.id, newUser.role);
  const locale: StaffLocale = isStaffLocale(newUser.locale) ? newUser.locale : 'it';
  try {
    const userId = await runInTransaction(db, async (trx) => {
      const id = await createUser(trx, { ...newUser, email, displayName });
      const token = await issueUserToken(trx, id, 'invitation');
      await enqueueMessage(trx, {
        kind: 'staff_invitation',
        recipient: email,
        locale,
        payload: { token, name: displayName, role: newUser.role },
      });
      await writeAudit(trx, {
        actorUserId: inviter.id,
        action: 'user.invited',
        subject: `user:${id}`,
        detail: {
          role: newUser.role,
          municipi: newUser.municipi ?? [],
          desks: deskIds,
          organisationId: newUser.organisationId ?? null,
        },
      });
      return id;
    });
    return { ok: true, userId };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Created meanwhile by another request.
    const created = await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst();
    return created ? existingAccount(db, inviter, created.id, newUser.role) : { ok: false, reason: 'email_taken' };
  }
}

async function existingAccount(db: Db, inviter: Actor, userId: number, role: NewUser['role']): Promise<InviteResult> {
  await writeAudit(db, {
    actorUserId: inviter.id,
    action: 'user.invite_existing',
    subject: `user:${userId}`,
    detail: { role },
  });
  return can(inviter, { kind: 'users.manage' }) ? { ok: false, reason: 'email_taken' } : { ok: true, userId: null };
}

/**
 * Queues a password-reset email when the address belongs to an account that is not disabled.
 * Returns nothing: the page's answer must not depend on it.
 */
export async function requestPasswordReset(
  db: Db,
  email: string,
  locale: StaffLocale,
  now: Date = new Date(),
): Promise<void> {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL.test(normalized) || normalized.length > 254) return;
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'display_name', 'disabled_at'])
    .where('email', '=', normalized)
    .executeTakeFirst();
  if (!user || user.disabled_at) return;
  await runInTransaction(db, async (trx) => {
    const token = await issueUserToken(trx, user.id, 'password_reset', now);
    await enqueueMessage(trx, {
      kind: 'staff_password_reset',
      recipient: normalized,
      locale,
      payload: { token, name: user.display_name },
    });
    await writeAudit(trx, { actorUserId: null, action: 'auth.password_reset_requested', subject: `user:${user.id}` });
  });
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LinkHolder {
  userId: number;
  email: string;
  displayName: string;
}

/** The person a link is for, while it is unused, unexpired, of this purpose and the account enabled. */
export async function readLinkToken(
  db: Db,
  token: string | null | undefined,
  purpose: LinkPurpose,
  now: Date = new Date(),
): Promise<LinkHolder | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const row = await db
    .selectFrom('user_token')
    .innerJoin('app_user', 'app_user.id', 'user_token.user_id')
    .select(['app_user.id', 'app_user.email', 'app_user.display_name'])
    .where('user_token.token_hash', '=', hashToken(token))
    .where('user_token.purpose', '=', purpose)
    .where('user_token.used_at', 'is', null)
    .where('user_token.expires_at', '>', now)
    .where('app_user.disabled_at', 'is', null)
    .executeTakeFirst();
  return row && { userId: row.id, email: row.email, displayName: row.display_name };
}

export type SetFromLinkResult =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid_link' }
  | { ok: false; reason: 'password'; messageKey: string };

/** Sets the password from an invitation or reset link (spent once); every session of the user ends. */
export async function setPasswordFromLink(
  db: Db,
  token: string,
  purpose: LinkPurpose,
  password: string,
  now: Date = new Date(),
): Promise<SetFromLinkResult> {
  const holder = await readLinkToken(db, token, purpose, now);
  if (!holder) return { ok: false, reason: 'invalid_link' };
  const problem = checkNewPassword(password, { email: holder.email });
  if (problem) return { ok: false, reason: 'password', messageKey: problem };
  const userId = await setPasswordWithToken(db, token, password, now);
  if (userId === undefined) return { ok: false, reason: 'invalid_link' };
  await writeAudit(db, {
    actorUserId: userId,
    action: purpose === 'invitation' ? 'auth.invitation_accepted' : 'auth.password_reset',
    subject: `user:${userId}`,
  });
  return { ok: true, userId };
}
