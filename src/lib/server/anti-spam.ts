// Spam protection without CAPTCHA: a honeypot field people never see, and a signed timestamp
// that proves the form was shown at least a few seconds before it was sent.
import { createHmac } from 'node:crypto';
import { sameSecret } from '../booking/reference.ts';

export const HONEYPOT_FIELD = 'website';
export const FORM_TIMESTAMP_FIELD = 'formStartedAt';
export const MIN_FILL_SECONDS = 3;
const MAX_AGE_SECONDS = 24 * 3600;

export function signFormTimestamp(secret: string, now: Date = new Date()): string {
  const t = String(now.getTime());
  return `${t}.${createHmac('sha256', secret).update(`form:${t}`).digest('base64url').slice(0, 22)}`;
}

export type SpamVerdict = 'ok' | 'honeypot' | 'too_fast' | 'bad_token';

/** Judges a submitted form. `minSeconds` can be lowered in tests; never below 0. */
export function checkFormSubmission(
  fields: { honeypot: unknown; token: unknown },
  secret: string,
  now: Date = new Date(),
  minSeconds = Number(process.env.FORM_MIN_FILL_SECONDS ?? MIN_FILL_SECONDS),
): SpamVerdict {
  if (typeof fields.honeypot === 'string' && fields.honeypot.trim() !== '') return 'honeypot';
  if (typeof fields.token !== 'string') return 'bad_token';
  const [t, mac] = fields.token.split('.');
  if (!t || !mac || !/^\d{10,16}$/.test(t)) return 'bad_token';
  const expected = createHmac('sha256', secret).update(`form:${t}`).digest('base64url').slice(0, 22);
  if (!sameSecret(mac, expected)) return 'bad_token';
  const age = (now.getTime() - Number(t)) / 1000;
  if (age > MAX_AGE_SECONDS || age < -60) return 'bad_token';
  if (age < Math.max(0, minSeconds)) return 'too_fast';
  return 'ok';
}
