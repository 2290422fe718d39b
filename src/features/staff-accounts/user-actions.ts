// The staff accounts forms as Astro Actions: invite a person (staff/utenti/invita), change an
// account's role and scope, disable an account (staff/utenti). Each checks who is asking
// (staffOf) and what they may do (`can`, and user-admin.ts again) before anything changes.
import type { ActionAPIContext } from 'astro:actions';
import { staffPath } from '#/lib/paths.ts';
import { z } from 'astro/zod';
import {
  badRequest,
  FormRefused,
  defineFormAction,
  notFoundPage,
  refuseForbidden,
} from '#/server/actions/form-action.ts';
import { staffOf } from './staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { inviteUser } from './invitations.ts';
import { can } from './policy.ts';
import {
  INVITE_FIELDS,
  canSeeUsers,
  changeStaffRole,
  checkInvite,
  disableStaffUser,
  type UserChangeResult,
} from './user-admin.ts';

export const INVITE_FORM = { flow: 'staff', scope: 'invita' } as const;
export const USERS_FORM = { flow: 'staff', scope: 'utenti' } as const;
/** The role form of one account: its page is the list with `?modifica=<id>`. */
export const roleForm = (userId: string | null) => ({ flow: 'staff', scope: `utente:${userId ?? ''}` }) as const;
/** Kept notice: the admin tried to disable or demote their own account (409). */
export const SELF = 'self';

const localeOf = (context: ActionAPIContext) => (context.params.locale === 'en' ? 'en' : 'it');
const choices = () => z.array(z.string().max(12)).max(50).optional().default([]);
const scopeFields = {
  role: optionalField(20),
  municipi: choices(),
  desks: choices(),
  organisationId: optionalField(20),
};

/** The account a change is about, from a hidden field nobody types: a bad one is a tampered request. */
function accountId(user: string): number {
  const id = recordId('bad').safeParse(user);
  if (id.success) return id.data;
  throw badRequest();
}

/** A change refused by user-admin.ts: 403, the site's 404 page, or "not your own account" (409). */
function refusal(result: Exclude<UserChangeResult, { ok: true }>): Error {
  if (result.reason === 'forbidden') return refuseForbidden();
  if (result.reason === 'not_found') return notFoundPage();
  if (result.reason === 'invalid') return new FormRefused({ errors: result.errors });
  return new FormRefused({ notice: SELF, status: 409 });
}

/** Only admins change accounts: refused before anything else is looked at. */
function admin(context: ActionAPIContext) {
  const staff = staffOf(context);
  if (!can(staff.actor, { kind: 'users.manage' })) throw refuseForbidden();
  return staff.actor;
}

export const userActions = {
  /**
   * An invitation: the form offers only what the inviter may give; a forged field beyond it is
   * refused with 403 (checkInvite, then inviteUser, which checks `can` again).
   */
  invite: defineFormAction({
    input: z.object({
      displayName: optionalField(500),
      email: optionalField(500),
      locale: optionalField(5),
      ...scopeFields,
    }),
    slot: INVITE_FORM,
    messages: 'staff.users.error.',
    fields: INVITE_FIELDS,
    handler: async (values, context) => {
      const { actor } = staffOf(context);
      if (!canSeeUsers(actor)) throw refuseForbidden();
      const db = await getDb();
      const checked = await checkInvite(db, actor, { ...values, email: values.email.trim() });
      if (checked === 'forbidden') throw refuseForbidden();
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const result = await inviteUser(db, actor, checked.value);
      if (!result.ok && result.reason === 'forbidden') throw refuseForbidden();
      if (!result.ok)
        throw new FormRefused({
          errors: {
            email: result.reason === 'email_taken' ? 'staff.users.error.emailTaken' : 'staff.users.error.emailInvalid',
          },
        });
      return { location: `${staffPath(localeOf(context), 'utenti')}?fatto=invited` };
    },
  }),

  /** A new role and scope for an account; it is signed out everywhere. Posted from `?modifica=<id>`. */
  changeRole: defineFormAction({
    input: z.object({ user: optionalField(20), ...scopeFields }),
    slot: (context) => roleForm(context.url.searchParams.get('modifica')),
    messages: 'staff.users.error.',
    fields: ['role', 'municipi', 'desks', 'organisationId'],
    handler: async ({ user, ...scope }, context) => {
      const actor = admin(context);
      const userId = accountId(user);
      const result = await changeStaffRole(await getDb(), actor, userId, scope);
      if (!result.ok) throw refusal(result);
      return { location: `${staffPath(localeOf(context), 'utenti')}?fatto=role` };
    },
  }),

  /** Disables an account (signed out everywhere); one already disabled is no error. */
  disableUser: defineFormAction({
    input: z.object({ user: optionalField(20) }),
    slot: USERS_FORM,
    messages: 'staff.users.error.',
    handler: async ({ user }, context) => {
      const actor = admin(context);
      const result = await disableStaffUser(await getDb(), actor, accountId(user));
      if (!result.ok && result.reason !== 'unchanged') throw refusal(result);
      return { location: `${staffPath(localeOf(context), 'utenti')}?fatto=disabled` };
    },
  }),
};
