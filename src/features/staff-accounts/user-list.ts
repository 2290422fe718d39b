// How the accounts list (staff/utenti) words one account: where it works and whether it is in use.
import type { Translate } from '#/lib/i18n.ts';
import type { StaffUserRow } from './user-admin.ts';

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
