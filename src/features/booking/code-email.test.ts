import { describe, expect, it } from 'vitest';
import ar from '#/locales/ar.json' with { type: 'json' };
import en from '#/locales/en.json' with { type: 'json' };
import { renderCodeEmail } from './code-email.ts';

describe('the code email says what the code confirms', () => {
  it('a waiting-list join: "to join the waiting list", in the family’s language', () => {
    const mail = renderCodeEmail({ code: '123456', locale: 'ar', minutes: 15, purpose: 'waitlist' });
    expect(mail.subject).toContain('123456');
    expect(mail.text).toContain(ar['waitlist.codeEmail.intro'].replace('{{minutes}}', '15'));
    expect(mail.text).toContain(ar['waitlist.codeEmail.notYou']);
    expect(mail.text).not.toContain(ar['email.code.notYou']);
  });

  it('a booking keeps its own words', () => {
    const mail = renderCodeEmail({ code: '654321', locale: 'en', minutes: 15, purpose: 'booking' });
    expect(mail.text).toContain(en['email.code.intro'].replace('{{minutes}}', '15'));
    expect(mail.text).not.toContain(en['waitlist.codeEmail.intro'].replace('{{minutes}}', '15'));
  });
});
