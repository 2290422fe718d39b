// The verification code's messages (`verification_code`, payload { code, minutes, purpose }): the SMS says the code
// alone, how long it lasts, and not to give it to anyone; the email (booking/code-email.ts) the same.
// The code leaves the outbox row once the SMS is sent.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { smsText } from '#/features/booking/sms.ts';
import type { MessageRenderers } from '#/server/mail/renderers.ts';
import { renderCodeEmail } from '#/features/booking/code-email.ts';
import { HOLD_MINUTES } from './code.ts';
import type { CodePurpose } from './send-code.ts';

export function renderVerificationSms(locale: Locale, code: string, minutes: number = HOLD_MINUTES): string {
  return smsText(getTranslator(locale)('sms.verification', { code, minutes }), locale);
}

/** The payload of send-code.ts; a booking's code queued before `minutes` and `purpose` existed lasts HOLD_MINUTES. */
function parseCode(payload: unknown): { code: string; minutes: number; purpose: CodePurpose } {
  const p = (typeof payload === 'string' ? JSON.parse(payload) : payload) as Record<string, unknown> | null;
  if (typeof p?.code !== 'string' || !/^[0-9]{4,8}$/.test(p.code)) throw new Error('verification payload is malformed');
  const minutes = Number.isInteger(p.minutes) && (p.minutes as number) > 0 ? (p.minutes as number) : HOLD_MINUTES;
  return { code: p.code, minutes, purpose: p.purpose === 'pledge' ? 'pledge' : 'booking' };
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
