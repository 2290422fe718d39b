// The link to a pledge's confirmation page (and its calendar file). It must work for phone-only
// pledges, which have no manage token, and for a form sent twice (the second submission only
// learns the pledge's id). So, as for bookings (src/features/booking/confirmation.ts), it is a signed,
// expiring reference to the pledge id: nothing is stored, nothing can be guessed or extended
// without the server secret. Signed under its own label, so a booking's link never opens a pledge.
import { createHmac } from 'node:crypto';
import { sameSecret } from '#/server/security/same-secret.ts';

/** Long enough to come back for the calendar file or the address; the page shows no personal data. */
export const PLEDGE_CONFIRMATION_TTL_DAYS = 7;

function mac(secret: string, id: string, expires: string): string {
  return createHmac('sha256', secret).update(`pledge-confirmation:${id}:${expires}`).digest('base64url').slice(0, 32);
}

export function signPledgeConfirmation(secret: string, pledgeId: number, now: Date = new Date()): string {
  const id = pledgeId.toString(36);
  const expires = Math.floor(now.getTime() / 1000 + PLEDGE_CONFIRMATION_TTL_DAYS * 86400).toString(36);
  return `${id}.${expires}.${mac(secret, id, expires)}`;
}

export type PledgeConfirmationCheck = { ok: true; pledgeId: number } | { ok: false; reason: 'invalid' | 'expired' };

export function readPledgeConfirmation(
  secret: string,
  token: string | null | undefined,
  now: Date = new Date(),
): PledgeConfirmationCheck {
  const m = /^([0-9a-z]{1,10})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{32})$/.exec(token ?? '');
  if (!m || !sameSecret(m[3]!, mac(secret, m[1]!, m[2]!))) return { ok: false, reason: 'invalid' };
  if (parseInt(m[2]!, 36) * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, pledgeId: parseInt(m[1]!, 36) };
}
