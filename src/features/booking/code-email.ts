// The email with a hold's 6-digit code (issue #12), a booking's or a pledge's, for contacts who gave an email. Pure, rendered at
// send time from the outbox payload ({ code, expiresAt, minutes, purpose }). The code is in the subject too, so a phone's
// notification shows it and one-time-code autofill can offer it; it proves only this one hold.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import type { CodePurpose } from '#/features/verification/send-code.ts';
import { renderHtml, renderText, type EmailContent, type RenderedEmail } from '#/server/mail/email-layout.ts';

export function renderCodeEmail(input: {
  code: string;
  locale: Locale;
  minutes: number;
  purpose: CodePurpose;
}): RenderedEmail {
  const pledge = input.purpose === 'pledge';
  const t = getTranslator(input.locale);
  const content: EmailContent = {
    subject: t('email.code.subject', { code: input.code }),
    greeting: t('email.greetingAnonymous'),
    intro: pledge
      ? t('email.code.introPledge', { minutes: input.minutes })
      : t('email.code.intro', { minutes: input.minutes }),
    details: [{ label: t('email.code.label'), value: input.code, ltr: true }],
    links: [],
    notes: [pledge ? t('email.code.notYouPledge') : t('email.code.notYou')],
    closing: t('email.closing'),
    signature: t('email.signature'),
    footer: t('email.footer'),
  };
  return { subject: content.subject, text: renderText(content), html: renderHtml(content, input.locale) };
}
