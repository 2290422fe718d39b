// The emails of the staff area, rendered at send time from the outbox payload: the invitation
// (a 72-hour link to set a password) and the password reset (a 1-hour link). Italian or English
// only, like the staff area. Pure.
import { staffPath, withQuery } from '#/lib/paths.ts';
import type { Role } from './policy.ts';
import { getTranslator, type Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { siteUrl, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';

export const STAFF_MESSAGE_KINDS = ['staff_invitation', 'staff_password_reset'] as const;
export type StaffMessageKind = (typeof STAFF_MESSAGE_KINDS)[number];

export function isStaffMessageKind(value: unknown): value is StaffMessageKind {
  return typeof value === 'string' && (STAFF_MESSAGE_KINDS as readonly string[]).includes(value);
}

/** How long the links stay valid (see server/auth/users.ts issueUserToken); the emails say so. */
export const INVITATION_HOURS = 72;
export const RESET_HOURS = 1;

const ROLES: readonly Role[] = ['admin', 'coordinator', 'desk_operator', 'partner_editor'];

export type StaffMessage =
  | { kind: 'staff_invitation'; token: string; name: string; role: Role }
  | { kind: 'staff_password_reset'; token: string; name: string };

export interface StaffEmailInput {
  message: StaffMessage;
  /** it or en; any other language falls back to Italian. */
  locale: Locale;
  origin: string;
}

/** Reads a stored payload; throws on a malformed one (a bug, not a transient failure). */
export function parseStaffMessage(kind: StaffMessageKind, value: unknown): StaffMessage {
  const p = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  const token = typeof p?.token === 'string' && p.token.length > 0 ? p.token : undefined;
  const name = typeof p?.name === 'string' ? p.name : '';
  if (token && kind === 'staff_invitation' && ROLES.includes(p?.role as Role))
    return { kind, token, name, role: p!.role as Role };
  if (token && kind === 'staff_password_reset') return { kind, token, name };
  throw new Error('staff message payload is malformed');
}

export const staffLocaleOf = (locale: Locale): 'it' | 'en' => (locale === 'en' ? 'en' : 'it');

export function invitationUrl(origin: string, locale: Locale, token: string): string {
  return siteUrl(origin, withQuery(staffPath(staffLocaleOf(locale), 'invito'), { token }));
}

export function passwordResetUrl(origin: string, locale: Locale, token: string): string {
  return siteUrl(origin, withQuery(staffPath(staffLocaleOf(locale), 'password-nuova'), { token }));
}

// One literal t('…') per key, so the locale test sees every key.
export function roleLabel(role: Role, t: Translate): string {
  switch (role) {
    case 'admin':
      return t('staff.role.admin');
    case 'coordinator':
      return t('staff.role.coordinator');
    case 'desk_operator':
      return t('staff.role.desk_operator');
    case 'partner_editor':
      return t('staff.role.partner_editor');
  }
}

export function renderStaffEmail(input: StaffEmailInput): RenderedEmail {
  const locale = staffLocaleOf(input.locale);
  const t = getTranslator(locale);
  const { message } = input;
  const base = { name: message.name, closing: t('auth.email.closing'), footer: t('auth.email.footer') };
  let content: EmailBody;
  let url: string;
  if (message.kind === 'staff_invitation') {
    url = invitationUrl(input.origin, locale, message.token);
    content = {
      ...base,
      subject: t('auth.email.invitation.subject'),
      intro: t('auth.email.invitation.intro', { role: roleLabel(message.role, t) }),
      links: [{ text: t('auth.email.invitation.link'), url }],
      notes: [
        t('auth.email.invitation.expires', { hours: String(INVITATION_HOURS) }),
        t('auth.email.invitation.ignore'),
      ],
    };
  } else {
    url = passwordResetUrl(input.origin, locale, message.token);
    content = {
      ...base,
      subject: t('auth.email.reset.subject'),
      intro: t('auth.email.reset.intro'),
      links: [{ text: t('auth.email.reset.link'), url }],
      notes: [t('auth.email.reset.expires'), t('auth.email.reset.ignore')],
    };
  }
  return renderEmail(locale, content, { manageUrl: url });
}
