// The email with a hold's 6-digit code (issue #12), a booking's, a pledge's or a waiting-list join's, for contacts who gave an email. Pure, rendered at
// send time from the outbox payload ({ code, expiresAt, minutes, purpose }). The code is in the subject too, so a phone's
// notification shows it and one-time-code autofill can offer it; it proves only this one hold.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import type { CodePurpose } from '#/features/verification/send-code.ts';
import type { RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail } from '#/server/mail/render-email.ts';

/** What the email says the code confirms, and what happens without it. */
const PURPOSE_KEYS = {
  booking: { intro: 'email.code.intro', notYou: 'email.code.notYou' },
  pledge: { intro: 'email.code.introPledge', notYou: 'email.code.notYouPledge' },
  waitlist: { intro: 'waitlist.codeEmail.intro', notYou: 'waitlist.codeEmail.notYou' },
} as const;

export function renderCodeEmail(input: {
  code: string;
  locale: Locale;
  minutes: number;
  purpose: CodePurpose;
}): RenderedEmail {
  const t = getTranslator(input.locale);
  const words = PURPOSE_KEYS[input.purpose];
  return renderEmail(input.locale, {
    subject: t('email.code.subject', { code: input.code }),
    intro: t(words.intro, { minutes: input.minutes }),
    details: [{ label: t('email.code.label'), value: input.code, ltr: true }],
    notes: [t(words.notYou)],
  });
}
