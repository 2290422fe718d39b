// How the accounts list (staff/utenti) words one account: where it works and whether it is in use.
import type { Translate } from '#/lib/i18n.ts';
import { messageKeys, type KeptFormInput } from '#/server/forms/form-page.ts';
import { readScopeForm, type ScopeErrors, type ScopeValues, type StaffUserRow } from './user-admin.ts';
import { SELF } from './user-actions.ts';

/** What the account's role reaches: everything, its municipi, its desks, or its organisation. */
export function scopeText(u: StaffUserRow, t: Translate): string {
  if (u.role === 'admin') return t('staff.home.scope.all');
  if (u.role === 'coordinator') return u.municipi.map((m) => t('staff.home.municipio', { n: m })).join(', ') || '–';
  if (u.role === 'desk_operator') return u.desks.map((d) => d.name).join(', ') || '–';
  return u.organisationName ?? '–';
}

/** Disabled, invited (no password set yet) or active. */
export function userState(u: StaffUserRow, t: Translate): string {
  if (u.disabledAt) return t('staff.users.state.disabled');
  return u.pending ? t('staff.users.state.pending') : t('staff.users.state.active');
}

/** The role form's answers for an account as it is now. */
export function currentScope(u: StaffUserRow): ScopeValues {
  return {
    role: u.role,
    municipi: u.municipi.map(String),
    desks: u.desks.map((d) => String(d.id)),
    organisationId: u.organisationId ? String(u.organisationId) : '',
  };
}

const SCOPE_ANCHORS = {
  role: '#role-0',
  municipi: '#municipi-0',
  desks: '#desks-0',
  organisationId: '#organisationId',
};

/** The error summary's lines for the role form, in page order. */
export function scopeSummary(errors: ScopeErrors, t: Translate): { href: string; text: string }[] {
  return (Object.keys(SCOPE_ANCHORS) as (keyof ScopeErrors)[])
    .filter((k) => errors[k])
    .map((k) => ({ href: SCOPE_ANCHORS[k], text: t(errors[k]!) }));
}

/** The line shown after a change (`?fatto=`), if any. */
export function doneNotice(done: string | null, t: Translate): string | undefined {
  if (done === 'disabled') return t('staff.users.done.disabled');
  if (done === 'role') return t('staff.users.done.role');
  return done === 'invited' ? t('staff.users.done.invited') : undefined;
}

export interface UsersPageForm {
  /** The role form's errors and values, when an account is being edited (?modifica=<id>). */
  scopeErrors: ScopeErrors;
  values: ScopeValues | undefined;
  /** The error summary: "not on your own account", then the role form's fields. */
  summary: { href: string; text: string }[];
}

/** What the list page shows of a refused role change or disable (kept by the action), or of none. */
export function usersPageForm(
  editing: StaffUserRow | undefined,
  kept: KeptFormInput | undefined,
  t: Translate,
): UsersPageForm {
  const scopeErrors: ScopeErrors = editing && kept ? messageKeys(kept.errors) : {};
  const problem = kept?.notice === SELF ? t('staff.users.error.self') : undefined;
  return {
    scopeErrors,
    values: editing && (kept ? readScopeForm(kept.form) : currentScope(editing)),
    summary: [
      ...(problem ? [{ href: editing ? '#role-form' : '#users', text: problem }] : []),
      ...scopeSummary(scopeErrors, t),
    ],
  };
}
