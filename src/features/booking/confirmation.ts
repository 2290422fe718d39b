// The link to a booking's confirmation page (and its .ics file). It must work for phone-only
// bookings, which have no manage token, and for a form submitted twice (the second submission
// only learns the booking's id). So it is a signed, expiring reference to the booking id: nothing
// is stored, and it cannot be guessed or extended without the server secret.
import { createHmac } from 'node:crypto';
import { sameSecret } from '#/server/security/same-secret.ts';

/** Long enough to come back to the page the next day; short, because it shows the booking. */
export const CONFIRMATION_TTL_HOURS = 48;

function mac(secret: string, id: string, expires: string): string {
  return createHmac('sha256', secret).update(`confirmation:${id}:${expires}`).digest('base64url').slice(0, 32);
}

export function signConfirmation(secret: string, bookingId: number, now: Date = new Date()): string {
  const id = bookingId.toString(36);
  const expires = Math.floor(now.getTime() / 1000 + CONFIRMATION_TTL_HOURS * 3600).toString(36);
  return `${id}.${expires}.${mac(secret, id, expires)}`;
}

export type ConfirmationCheck = { ok: true; bookingId: number } | { ok: false; reason: 'invalid' | 'expired' };

export function readConfirmation(
  secret: string,
  token: string | null | undefined,
  now: Date = new Date(),
): ConfirmationCheck {
  const m = /^([0-9a-z]{1,10})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{32})$/.exec(token ?? '');
  if (!m || !sameSecret(m[3]!, mac(secret, m[1]!, m[2]!))) return { ok: false, reason: 'invalid' };
  if (parseInt(m[2]!, 36) * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, bookingId: parseInt(m[1]!, 36) };
}
