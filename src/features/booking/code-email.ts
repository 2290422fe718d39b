// The email with a hold's 6-digit code (issue #12), for contacts who gave an email. Pure, rendered at
// send time from the outbox payload ({ code, expiresAt }). The code is in the subject too, so a phone's
// notification shows it and one-time-code autofill can offer it; it proves only this one hold.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { HOLD_MINUTES } from '#/features/verification/code.ts';
import { renderHtml, renderText, type EmailContent, type RenderedEmail } from '#/server/mail/email-layout.ts';

export function renderCodeEmail(input: { code: string; locale: Locale }): RenderedEmail {
  const t = getTranslator(input.locale);
  const content: EmailContent = {
    subject: t('email.code.subject', { code: input.code }),
    greeting: t('email.greetingAnonymous'),
    intro: t('email.code.intro', { minutes: HOLD_MINUTES }),
    details: [{ label: t('email.code.label'), value: input.code, ltr: true }],
    links: [],
    notes: [t('email.code.notYou')],
    closing: t('email.closing'),
    signature: t('email.signature'),
    footer: t('email.footer'),
  };
  return { subject: content.subject, text: renderText(content), html: renderHtml(content, input.locale) };
}
