// What the invitation page (/{it|en}/staff/utenti/invita) shows: the form empty (the one role the
// inviter may give already chosen) or as typed with its errors, kept by staffAccounts.invite, and
// the error summary, each line a link to its field. Pure.
import type { Translate } from '#/lib/i18n.ts';
import type { StaffLocale } from '#/lib/locales.ts';
import { messageKeys, type KeptFormInput } from '#/server/forms/form-page.ts';
import {
  INVITE_FIELDS,
  readInviteForm,
  type InviteErrors,
  type InviteValues,
  type ScopeChoices,
} from './user-admin.ts';

const ANCHORS: Record<(typeof INVITE_FIELDS)[number], string> = {
  displayName: '#displayName',
  email: '#email',
  role: '#role-0',
  municipi: '#municipi-0',
  desks: '#desks-0',
  organisationId: '#organisationId',
  locale: '#locale-0',
};

export interface InviteView {
  values: InviteValues;
  errors: InviteErrors;
  summary: { href: string; text: string }[];
}

export function inviteView(
  kept: KeptFormInput | undefined,
  choices: ScopeChoices,
  locale: StaffLocale,
  t: Translate,
): InviteView {
  const values: InviteValues = kept
    ? readInviteForm(kept.form)
    : {
        displayName: '',
        email: '',
        role: choices.roles.length === 1 ? choices.roles[0]! : '',
        municipi: [],
        desks: [],
        organisationId: '',
        locale,
      };
  const errors: InviteErrors = kept ? messageKeys(kept.errors) : {};
  const summary = INVITE_FIELDS.filter((k) => errors[k]).map((k) => ({ href: ANCHORS[k], text: t(errors[k]!) }));
  return { values, errors, summary };
}
