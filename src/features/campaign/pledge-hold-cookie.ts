// The browser's own pending pledge: when a donor goes back from the code page and pledges again,
// their earlier hold is given back (create-pledge.ts `replaces`). Only this browser can name it: the
// cookie carries the pledge's signed confirmation token (pledge-confirmation.ts), which nobody can
// forge without the server secret. A matching phone or email proves nothing (anyone can type
// another person's), so it never releases a hold.
import type { AstroCookies } from 'astro';
import { getConfig } from '#/server/config.ts';
import { readPledgeConfirmation, signPledgeConfirmation } from './pledge-confirmation.ts';

const COOKIE = 'qb-pledge-hold';

/** The pending pledge this browser took before, if its cookie is still good. */
export function pledgeHoldOfBrowser(cookies: AstroCookies, secret: string, now = new Date()): number | undefined {
  const read = readPledgeConfirmation(secret, cookies.get(COOKIE)?.value, now);
  return read.ok ? read.pledgeId : undefined;
}

/** Remembers a new pending pledge for as long as its code can confirm it. */
export function rememberPledgeHold(cookies: AstroCookies, secret: string, pledgeId: number): void {
  cookies.set(COOKIE, signPledgeConfirmation(secret, pledgeId), {
    path: '/',
    httpOnly: true,
    secure: getConfig().publicUrl.startsWith('https:'),
    sameSite: 'lax',
    maxAge: getConfig().pledgeHoldMinutes * 60,
  });
}
