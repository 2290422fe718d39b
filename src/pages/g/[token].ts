import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { findBookingByToken } from '#/features/booking/manage-booking.ts';
import { findPledgeByToken } from '#/features/campaign/manage-pledge.ts';
import { isLocale } from '#/lib/locales.ts';
import { findByCancelToken } from '#/features/events/registration-holds.ts';
import { eventSignUpPath } from '#/lib/paths.ts';
import { findWaitByToken } from '#/features/waitlist/wait-status.ts';
import { waitStatusPath } from '#/features/waitlist/wait-paths.ts';

/**
 * The short link an SMS carries (`/g/<manage token>`): a 303 to the booking's or the pledge's manage
 * page (or an event sign-up's "we can't come" page) in the family's language, with the token where the email puts it. Unknown tokens get a 404.
 * Never cached, and no Referer leaves with the token.
 */
export const GET: APIRoute = async ({ params }) => {
  const token = params.token ?? '';
  const db = await getDb();
  const booking = await findBookingByToken(db, token);
  const pledge = booking ? undefined : await findPledgeByToken(db, token);
  const found = booking ?? pledge;
  const headers = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };
  // An event sign-up's "we can't come" (issue #13).
  const signUp = found ? undefined : await findByCancelToken(db, token);
  if (signUp) {
    const where = eventSignUpPath(isLocale(signUp.locale) ? signUp.locale : 'it', signUp.slug, 'non-veniamo', {
      token,
    });
    return new Response(null, { status: 303, headers: { ...headers, Location: where } });
  }
  // A waiting-list entry's status link (issue #13).
  const waiting = found ? undefined : await findWaitByToken(db, token);
  if (waiting) {
    const where = waitStatusPath(isLocale(waiting.locale) ? waiting.locale : 'it', { token });
    return new Response(null, { status: 303, headers: { ...headers, Location: where } });
  }
  if (!found) return new Response('Not found', { status: 404, headers: { ...headers, 'Content-Type': 'text/plain' } });
  const locale = isLocale(found.locale) ? found.locale : 'it';
  const page = booking ? 'prenotazione/gestisci' : 'zaino-sospeso/gestisci';
  const location = `/${locale}/${page}?token=${encodeURIComponent(token)}`;
  return new Response(null, { status: 303, headers: { ...headers, Location: location } });
};
