// Staff accounts as the "users" pages show and change them.
//   Admins (`users.manage`): every account; disable one, change its role and scope (both sign the
//     person out everywhere, users.ts). Never their own account: an admin cannot lock themselves out.
//   Coordinators: read-only list of the accounts they invited or that work in their municipi
//     (desk operators of their desks, partner editors of their municipi's organisations).
//   Invitations go through `inviteUser` (auth/invitations.ts, which checks `user.invite`); this
//   module reads and checks the form, and adds one rule the policy cannot see: a coordinator invites
//   partner editors only for organisations of their own municipi.
import { sql } from 'kysely';
import { STAFF_LOCALES, type StaffLocale } from '#/lib/locales.ts';
import type { Db, Role } from '#/server/db/database.ts';
import { can, type Actor } from './policy.ts';
import { changeRole, disableUser, type NewUser } from './users.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { normalizeEmail } from '#/lib/contact.ts';
import { MUNICIPI } from '#/lib/municipi.ts';

export const ROLES = ['admin', 'coordinator', 'desk_operator', 'partner_editor'] as const satisfies readonly Role[];
export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export interface StaffUserRow {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  organisationId: number | null;
  organisationName: string | null;
  municipi: number[];
  desks: { id: number; name: string; municipioId: number }[];
  disabledAt: Date | null;
  createdAt: Date;
  /** Invited, password not set yet. */
  pending: boolean;
}

export interface ScopeChoices {
  roles: Role[];
  municipi: number[];
  desks: { id: number; name: string; municipioId: number }[];
  organisations: { id: number; name: string; municipioId: number | null }[];
}

/** Who may see the users page at all: admins, and coordinators with a municipio. */
export const canSeeUsers = (actor: Actor) =>
  can(actor, { kind: 'users.manage' }) || (actor.role === 'coordinator' && actor.municipi.length > 0);

/** What the actor may give in an invitation: roles, municipi, desks, organisations. */
export async function inviteChoices(db: Db, actor: Actor): Promise<ScopeChoices> {
  const [desks, organisations] = await Promise.all([
    db.selectFrom('desk').select(['id', 'name', 'municipio_id']).orderBy('municipio_id').orderBy('name').execute(),
    db.selectFrom('organisation').select(['id', 'name', 'municipio_id']).orderBy('name').execute(),
  ]);
  const allDesks = desks.map((d) => ({ id: d.id, name: d.name, municipioId: d.municipio_id }));
  const invitableOrganisations = organisations
    .map((o) => ({ id: o.id, name: o.name, municipioId: o.municipio_id }))
    .filter((o) =>
      can(actor, { kind: 'user.invite', role: 'partner_editor', municipi: [], desks: [], organisation: o }),
    );
  const roles = ROLES.filter((role) =>
    role === 'partner_editor'
      ? invitableOrganisations.length > 0
      : can(actor, { kind: 'user.invite', role, municipi: [], desks: [] }),
  );
  return {
    roles,
    municipi: actor.role === 'admin' ? [...MUNICIPI] : MUNICIPI.filter((m) => actor.municipi.includes(m)),
    desks: allDesks.filter((d) => can(actor, { kind: 'user.invite', role: 'desk_operator', municipi: [], desks: [d] })),
    organisations: invitableOrganisations,
  };
}

async function loadUsers(db: Db, ids?: number[]): Promise<StaffUserRow[]> {
  if (ids && ids.length === 0) return [];
  let query = db
    .selectFrom('app_user')
    .leftJoin('organisation', 'organisation.id', 'app_user.organisation_id')
    .select([
      'app_user.id',
      'app_user.email',
      'app_user.display_name',
      'app_user.role',
      'app_user.organisation_id',
      'organisation.name as organisation_name',
      'app_user.disabled_at',
      'app_user.created_at',
      sql<boolean>`app_user.password_hash is null`.as('pending'),
    ]);
  if (ids) query = query.where('app_user.id', 'in', ids);
  const users = await query
    .orderBy(sql`app_user.disabled_at is not null`)
    .orderBy('app_user.role')
    .orderBy('app_user.display_name')
    .execute();
  if (users.length === 0) return [];
  const userIds = users.map((u) => u.id);
  const [municipi, desks] = await Promise.all([
    db
      .selectFrom('user_municipio')
      .select(['user_id', 'municipio_id'])
      .where('user_id', 'in', userIds)
      .orderBy('municipio_id')
      .execute(),
    db
      .selectFrom('user_desk')
      .innerJoin('desk', 'desk.id', 'user_desk.desk_id')
      .select(['user_desk.user_id', 'desk.id', 'desk.name', 'desk.municipio_id'])
      .where('user_desk.user_id', 'in', userIds)
      .orderBy('desk.name')
      .execute(),
  ]);
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    organisationId: u.organisation_id,
    organisationName: u.organisation_name,
    municipi: municipi.filter((m) => m.user_id === u.id).map((m) => Number(m.municipio_id)),
    desks: desks
      .filter((d) => d.user_id === u.id)
      .map((d) => ({ id: d.id, name: d.name, municipioId: d.municipio_id })),
    disabledAt: u.disabled_at,
    createdAt: u.created_at,
    pending: Boolean(u.pending),
  }));
}

/**
 * The accounts the actor may see: all for an admin; for a coordinator, those they invited and the
 * desk operators and partner editors working in their municipi. 'forbidden' for anyone else.
 */
export async function listUsersFor(db: Db, actor: Actor): Promise<StaffUserRow[] | 'forbidden'> {
  if (can(actor, { kind: 'users.manage' })) return loadUsers(db);
  if (!canSeeUsers(actor)) return 'forbidden';
  const invited = await db
    .selectFrom('audit_log')
    .select('subject')
    .where('action', '=', 'user.invited')
    .where('actor_user_id', '=', actor.id)
    .execute();
  const invitedIds = invited
    .map((r) => /^user:(\d+)$/.exec(r.subject ?? '')?.[1])
    .filter((id): id is string => Boolean(id))
    .map(Number);
  const [operators, partners] = await Promise.all([
    db
      .selectFrom('user_desk')
      .innerJoin('desk', 'desk.id', 'user_desk.desk_id')
      .innerJoin('app_user', 'app_user.id', 'user_desk.user_id')
      .select('user_desk.user_id')
      .where('app_user.role', '=', 'desk_operator')
      .where('desk.municipio_id', 'in', actor.municipi)
      .execute(),
    db
      .selectFrom('app_user')
      .innerJoin('organisation', 'organisation.id', 'app_user.organisation_id')
      .select('app_user.id')
      .where('app_user.role', '=', 'partner_editor')
      .where('organisation.municipio_id', 'in', actor.municipi)
      .execute(),
  ]);
  const ids = [...new Set([...invitedIds, ...operators.map((o) => o.user_id), ...partners.map((p) => p.id)])].filter(
    (id) => id !== actor.id,
  );
  // Never an admin or another coordinator, even one they invited before a role change.
  return (await loadUsers(db, ids)).filter((u) => u.role === 'desk_operator' || u.role === 'partner_editor');
}

export type UserChangeResult =
  | { ok: true }
  | { ok: false; reason: 'forbidden' | 'not_found' | 'self' | 'unchanged' }
  | { ok: false; reason: 'invalid'; errors: ScopeErrors };

/** Disables an account (and ends its sessions). Admins only; never one's own. */
export async function disableStaffUser(
  db: Db,
  actor: Actor,
  userId: number,
  now: Date = new Date(),
): Promise<UserChangeResult> {
  if (!can(actor, { kind: 'users.manage' })) return { ok: false, reason: 'forbidden' };
  if (!Number.isSafeInteger(userId) || userId < 1 || userId > 2147483647) return { ok: false, reason: 'not_found' };
  if (userId === actor.id) return { ok: false, reason: 'self' };
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'disabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) return { ok: false, reason: 'not_found' };
  if (user.disabled_at) return { ok: false, reason: 'unchanged' };
  await disableUser(db, userId, now);
  await writeAudit(db, { actorUserId: actor.id, action: 'user.disabled', subject: `user:${userId}` });
  return { ok: true };
}

export interface ScopeValues {
  role: string;
  municipi: string[];
  desks: string[];
  organisationId: string;
}

export type ScopeErrors = Partial<Record<'role' | 'municipi' | 'desks' | 'organisationId', string>>;

export interface Scope {
  role: Role;
  municipi: number[];
  desks: number[];
  organisationId: number | null;
}

export function readScopeForm(form: FormData): ScopeValues {
  const text = (name: string, max = 20) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.trim().slice(0, max) : '';
  };
  const list = (name: string) =>
    form
      .getAll(name)
      .filter((v): v is string => typeof v === 'string')
      .slice(0, 50)
      .map((v) => v.trim().slice(0, 12));
  return {
    role: text('role'),
    municipi: list('municipi'),
    desks: list('desks'),
    organisationId: text('organisationId'),
  };
}

/**
 * Checks a role and its scope against what exists: a coordinator needs municipi, a desk operator
 * desks, a partner editor an organisation; what the role does not use is dropped.
 */
export async function checkScope(
  db: Db,
  values: ScopeValues,
): Promise<{ ok: true; value: Scope } | { ok: false; errors: ScopeErrors }> {
  const errors: ScopeErrors = {};
  if (!isRole(values.role)) return { ok: false, errors: { role: 'staff.users.error.role' } };
  const role = values.role;
  const ints = (list: string[]) =>
    list.every((v) => /^[1-9][0-9]{0,8}$/.test(v)) ? [...new Set(list.map(Number))].sort((a, b) => a - b) : undefined;
  let municipi: number[] = [];
  let desks: number[] = [];
  let organisationId: number | null = null;
  if (role === 'coordinator') {
    const m = ints(values.municipi);
    if (!m || m.length === 0 || m.some((n) => n > 9)) errors.municipi = 'staff.users.error.municipi';
    else municipi = m;
  }
  if (role === 'desk_operator') {
    const d = ints(values.desks);
    const found = d && d.length > 0 ? await db.selectFrom('desk').select('id').where('id', 'in', d).execute() : [];
    if (!d || d.length === 0 || found.length !== d.length) errors.desks = 'staff.users.error.desks';
    else desks = d;
  }
  if (role === 'partner_editor') {
    const id = /^[1-9][0-9]{0,8}$/.test(values.organisationId) ? Number(values.organisationId) : undefined;
    const found = id
      ? await db.selectFrom('organisation').select('id').where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!found) errors.organisationId = 'staff.users.error.organisation';
    else organisationId = found.id;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { role, municipi, desks, organisationId } };
}

/** Changes an account's role and scope (and ends its sessions). Admins only; never one's own. */
export async function changeStaffRole(
  db: Db,
  actor: Actor,
  userId: number,
  values: ScopeValues,
): Promise<UserChangeResult> {
  if (!can(actor, { kind: 'users.manage' })) return { ok: false, reason: 'forbidden' };
  if (!Number.isSafeInteger(userId) || userId < 1 || userId > 2147483647) return { ok: false, reason: 'not_found' };
  if (userId === actor.id) return { ok: false, reason: 'self' };
  const [before] = await loadUsers(db, [userId]);
  if (!before) return { ok: false, reason: 'not_found' };
  const checked = await checkScope(db, values);
  if (!checked.ok) return { ok: false, reason: 'invalid', errors: checked.errors };
  const scope = checked.value;
  await changeRole(db, userId, scope.role, {
    organisationId: scope.organisationId,
    municipi: scope.municipi,
    desks: scope.desks,
  });
  await writeAudit(db, {
    actorUserId: actor.id,
    action: 'user.role_changed',
    subject: `user:${userId}`,
    detail: {
      from: before.role,
      to: scope.role,
      municipi: scope.municipi,
      desks: scope.desks,
      organisationId: scope.organisationId,
    },
  });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Invitations

export interface InviteValues extends ScopeValues {
  displayName: string;
  email: string;
  locale: string;
}

export type InviteErrors = ScopeErrors & Partial<Record<'displayName' | 'email' | 'locale', string>>;
export const INVITE_FIELDS = ['displayName', 'email', 'role', 'municipi', 'desks', 'organisationId', 'locale'] as const;

export function readInviteForm(form: FormData): InviteValues {
  const text = (name: string, max: number) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.slice(0, max) : '';
  };
  return {
    ...readScopeForm(form),
    displayName: text('displayName', 500),
    email: text('email', 500).trim(),
    locale: text('locale', 5),
  };
}

/**
 * Checks an invitation form. Returns the new user, or the errors (422), or 'forbidden' when the
 * scope is outside what the inviter may give (403: the policy, plus a coordinator's organisations).
 */
export async function checkInvite(
  db: Db,
  actor: Actor,
  values: InviteValues,
): Promise<{ ok: true; value: NewUser & { locale: StaffLocale } } | { ok: false; errors: InviteErrors } | 'forbidden'> {
  const errors: InviteErrors = {};
  const displayName = values.displayName.trim().replace(/\s+/g, ' ');
  if (!displayName) errors.displayName = 'staff.users.error.nameRequired';
  else if (displayName.length > 120 || /[\u0000-\u001F\u007F-\u009F]/.test(displayName))
    errors.displayName = 'staff.users.error.nameInvalid';
  const email = values.email ? normalizeEmail(values.email) : undefined;
  if (!values.email) errors.email = 'staff.users.error.emailRequired';
  else if (!email) errors.email = 'staff.users.error.emailInvalid';
  const locale = (STAFF_LOCALES as readonly string[]).includes(values.locale)
    ? (values.locale as StaffLocale)
    : undefined;
  if (!locale) errors.locale = 'staff.users.error.locale';
  const scope = await checkScope(db, values);
  if (!scope.ok) Object.assign(errors, scope.errors);
  if (Object.keys(errors).length > 0 || !scope.ok) return { ok: false, errors };
  const { role, municipi, desks, organisationId } = scope.value;
  // The policy (inviteUser checks it again) plus the organisations of the coordinator's municipi.
  const deskRows = desks.length
    ? await db.selectFrom('desk').select(['id', 'municipio_id']).where('id', 'in', desks).execute()
    : [];
  const org =
    organisationId === null
      ? undefined
      : await db
          .selectFrom('organisation')
          .select(['id', 'municipio_id'])
          .where('id', '=', organisationId)
          .executeTakeFirst();
  const organisation = org ? { id: org.id, municipioId: org.municipio_id } : null;
  if (
    !can(actor, {
      kind: 'user.invite',
      role,
      municipi,
      desks: deskRows.map((d) => ({ id: d.id, municipioId: d.municipio_id })),
      organisation,
    })
  )
    return 'forbidden';
  return { ok: true, value: { email: email!, displayName, role, municipi, desks, organisationId, locale: locale! } };
}
