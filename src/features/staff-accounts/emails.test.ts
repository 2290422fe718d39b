import { describe, expect, it } from 'vitest';
import {
  invitationUrl,
  isStaffMessageKind,
  parseStaffMessage,
  passwordResetUrl,
  renderStaffEmail,
  type StaffMessage,
} from './emails.ts';

const ORIGIN = 'https://qubi.example.org';
const TOKEN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
const invitation: StaffMessage = { kind: 'staff_invitation', token: TOKEN, name: 'Ada Rossi', role: 'desk_operator' };
const reset: StaffMessage = { kind: 'staff_password_reset', token: TOKEN, name: 'Ada Rossi' };

describe('staff emails', () => {
  it('invite with a 72-hour link to the invitation page, naming the role', () => {
    const email = renderStaffEmail({ message: invitation, locale: 'it', origin: ORIGIN });
    expect(email.subject).toBe("Il tuo invito all'area riservata QuBì");
    expect(email.manageUrl).toBe(`${ORIGIN}/it/staff/invito?token=${TOKEN}`);
    expect(email.text).toContain('Ciao Ada Rossi,');
    expect(email.text).toContain('operatore di sportello');
    expect(email.text).toContain('72 ore');
    expect(email.text).toContain(email.manageUrl);
    expect(email.html).toContain(`href="${email.manageUrl}"`);
    expect(email.html).toContain('<html lang="it" dir="ltr">');
    const en = renderStaffEmail({ message: invitation, locale: 'en', origin: `${ORIGIN}/` });
    expect(en.subject).toBe('Your invitation to the QuBì staff area');
    expect(en.text).toContain('as help desk operator');
    expect(en.text).toContain('72 hours');
    expect(en.manageUrl).toBe(`${ORIGIN}/en/staff/invito?token=${TOKEN}`);
  });

  it('reset with a 1-hour link to the new-password page', () => {
    const email = renderStaffEmail({ message: reset, locale: 'en', origin: ORIGIN });
    expect(email.subject).toBe('New password for the QuBì staff area');
    expect(email.manageUrl).toBe(`${ORIGIN}/en/staff/password-nuova?token=${TOKEN}`);
    expect(email.text).toContain('one hour');
    expect(email.text).toContain('If you did not ask for it');
    expect(email.ics).toBeUndefined();
  });

  it('are in Italian for any language the staff area does not have', () => {
    for (const locale of ['ar', 'es', 'zh'] as const) {
      const email = renderStaffEmail({ message: reset, locale, origin: ORIGIN });
      expect(email.subject).toBe("Nuova password per l'area riservata QuBì");
      expect(email.manageUrl).toBe(`${ORIGIN}/it/staff/password-nuova?token=${TOKEN}`);
      expect(email.html).toContain('<html lang="it" dir="ltr">');
    }
    expect(invitationUrl(ORIGIN, 'zh', 'x')).toBe(`${ORIGIN}/it/staff/invito?token=x`);
    expect(passwordResetUrl(ORIGIN, 'en', 'a b')).toBe(`${ORIGIN}/en/staff/password-nuova?token=a+b`);
  });

  it('escape a hostile name in the HTML', () => {
    const email = renderStaffEmail({
      message: { ...invitation, name: '<script>alert(1)</script>' },
      locale: 'en',
      origin: ORIGIN,
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
  });

  it('read stored payloads and refuse malformed ones', () => {
    expect(parseStaffMessage('staff_invitation', { token: 't', name: 'A', role: 'admin' })).toEqual({
      kind: 'staff_invitation',
      token: 't',
      name: 'A',
      role: 'admin',
    });
    expect(parseStaffMessage('staff_password_reset', JSON.stringify({ token: 't' }))).toEqual({
      kind: 'staff_password_reset',
      token: 't',
      name: '',
    });
    expect(() => parseStaffMessage('staff_invitation', { token: 't', role: 'root' })).toThrow('malformed');
    expect(() => parseStaffMessage('staff_password_reset', {})).toThrow('malformed');
    expect(isStaffMessageKind('staff_invitation')).toBe(true);
    expect(isStaffMessageKind('booking_confirmation')).toBe(false);
  });
});
