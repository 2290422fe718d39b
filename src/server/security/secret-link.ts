// Pages addressed by a secret link (?token=… of a confirmation email: manage a booking or a pledge,
// confirm or withdraw a volunteer; ?c=… of a confirmation page). The link is the only key, so:
// the page is never stored, its address never leaves the site as a referrer, and only a token that
// matches nothing is rate limited (a guesser is slowed down, the owner never is).
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { noStore } from '#/server/http/no-store.ts';
import { clientIp, guardLookup, guardPublicWrite } from '#/server/http/request-guard.ts';

type PageContext = Pick<AstroGlobal, 'response' | 'request' | 'clientAddress'>;

/** Longer than any token we issue: the rest of a pasted-in address is dropped before any look-up. */
const MAX_TOKEN = 200;

/** Never cached, and never sent to another site as a referrer. */
export function keepLinkPrivate(astro: Pick<AstroGlobal, 'response'>): void {
  noStore(astro);
  // Same-origin, not no-referrer: that would send "Origin: null" with the page's own forms, which
  // Astro's origin check refuses.
  astro.response.headers.set('Referrer-Policy', 'same-origin');
}

/** The opening of a page reached by ?token=…: the headers above, and the token (bounded). */
export function openTokenLink(astro: Pick<AstroGlobal, 'response' | 'url'>): string {
  keepLinkPrivate(astro);
  return (astro.url.searchParams.get('token') ?? '').slice(0, MAX_TOKEN);
}

/** 429 with the seconds after which to try again. */
function tooManyRequests(astro: Pick<AstroGlobal, 'response'>, retryAfterSeconds: number): void {
  astro.response.status = 429;
  astro.response.headers.set('Retry-After', String(retryAfterSeconds));
}

export type UnknownLinkView = { view: 'not-found' | 'limited'; retryAfterSeconds: number };
export type LimitedView = { view: 'limited'; retryAfterSeconds: number };

/**
 * A token that matches nothing costs a look-up of the client's address: "not found" with
 * `notFoundStatus` (404, or 410 where the link may have expired), or "limited" (429) past the limit.
 */
export async function refuseUnknownLink(
  astro: PageContext,
  db: Db,
  scope: string,
  notFoundStatus = 404,
): Promise<UnknownLinkView> {
  const limit = await guardLookup(db, scope, clientIp(astro));
  if (limit.allowed) {
    astro.response.status = notFoundStatus;
    return { view: 'not-found', retryAfterSeconds: 0 };
  }
  tooManyRequests(astro, limit.retryAfterSeconds);
  return { view: 'limited', retryAfterSeconds: limit.retryAfterSeconds };
}

/**
 * A change made through a link is a public write, rate limited per client address. When refused:
 * 429, and the "limited" view with the seconds to wait; undefined when it may go ahead.
 */
export async function refuseLinkWrite(astro: PageContext, db: Db, scope: string): Promise<LimitedView | undefined> {
  const limit = await guardPublicWrite(db, scope, clientIp(astro));
  if (limit.allowed) return undefined;
  tooManyRequests(astro, limit.retryAfterSeconds);
  return { view: 'limited', retryAfterSeconds: limit.retryAfterSeconds };
}
