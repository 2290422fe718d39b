// The verification code's messages (`verification_code`, payload { code, minutes, purpose }): the SMS says the code
// alone, how long it lasts, and not to give it to anyone; the email (booking/code-email.ts) the same.
// The payload keeps the code encrypted at rest (send-code.ts seals it; a database dump shows no code)
// and the worker drops it from the row once the message is sent.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { smsText } from '#/features/booking/sms.ts';
import type { MessageRenderers } from '#/server/mail/renderers.ts';
import { renderCodeEmail } from '#/features/booking/code-email.ts';
import { decryptAtRest, encryptAtRest } from '#/server/security/at-rest.ts';
import { HOLD_MINUTES } from './code.ts';
import type { CodePurpose } from './send-code.ts';

export function renderVerificationSms(locale: Locale, code: string, minutes: number = HOLD_MINUTES): string {
  return smsText(getTranslator(locale)('sms.verification', { code, minutes }), locale);
}

/** The payload of a `verification_code` message: the code sealed, read back by parseCode when sent. */
export function sealedCodePayload(code: string, expiresAt: Date): { code: string; expiresAt: string } {
  return { code: encryptAtRest(code), expiresAt: expiresAt.toISOString() };
}

/** The payload of send-code.ts; a code queued without `minutes` and `purpose` lasts HOLD_MINUTES. */
function parseCode(payload: unknown): { code: string; minutes: number; purpose: CodePurpose } {
  const p = (typeof payload === 'string' ? JSON.parse(payload) : payload) as Record<string, unknown> | null;
  const code = typeof p?.code === 'string' ? decryptAtRest(p.code) : undefined;
  if (!code || !/^[0-9]{4,8}$/.test(code)) throw new Error('verification payload is malformed');
  const minutes = Number.isInteger(p?.minutes) && (p?.minutes as number) > 0 ? (p?.minutes as number) : HOLD_MINUTES;
  const purpose = p?.purpose === 'pledge' || p?.purpose === 'waitlist' ? p.purpose : 'booking';
  return { code, minutes, purpose };
}

export const verificationRenderers: MessageRenderers = {
  email: { verification_code: ({ message, locale }) => renderCodeEmail({ ...parseCode(message.payload), locale }) },
  sms: {
    verification_code: ({ message, locale }) => {
      const { code, minutes } = parseCode(message.payload);
      return renderVerificationSms(locale, code, minutes);
    },
  },
};
