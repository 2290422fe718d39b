// Authentication for the staff area: reads the session cookie (middleware), and `requireStaff`
// which each staff page and action calls first. Authorization is then `can(actor, operation)` on the
// object at hand, in the page or action itself.
import type { APIContext, AstroGlobal } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getConfig } from '#/server/config.ts';
import { staffPath } from '#/lib/paths.ts';
import { sessionCookie, validateSessionToken, type SessionUser, type ValidSession } from './session.ts';
import { loadActor } from './actor.ts';
import type { Actor } from './policy.ts';

export interface StaffContext {
  session: ValidSession;
  user: SessionUser;
  actor: Actor;
}

type Ctx =
  | Pick<APIContext, 'cookies' | 'url' | 'redirect' | 'locals'>
  | Pick<AstroGlobal, 'cookies' | 'url' | 'redirect' | 'locals'>;

export function staffCookie() {
  return sessionCookie(getConfig().publicUrl.startsWith('https://'));
}

/** The staff member behind the request's session cookie, or null (no cookie costs no query). */
export async function readStaffSession(context: Pick<APIContext, 'cookies'>): Promise<StaffContext | null> {
  const cookie = staffCookie();
  const token = context.cookies.get(cookie.name)?.value;
  if (!token) return null;
  const db = await getDb();
  const valid = await validateSessionToken(db, token);
  if (!valid) {
    // Same attributes as when it was set: browsers ignore a __Host- deletion without Secure.
    context.cookies.delete(cookie.name, { path: '/', secure: cookie.options.secure, httpOnly: true, sameSite: 'lax' });
    return null;
  }
  return { ...valid, actor: await loadActor(db, valid.user) };
}

/**
 * The signed-in staff member, or a redirect: to sign-in when there is none; to the second-factor
 * step when the account has TOTP and this session has not passed it; to TOTP set-up for an admin
 * without it (required for admins).
 */
export function requireStaff(context: Ctx): StaffContext | Response {
  const locale = context.url.pathname.split('/')[1] ?? 'it';
  const staff = context.locals.staff;
  if (!staff)
    return context.redirect(
      `${staffPath(locale, 'accesso')}?next=${encodeURIComponent(context.url.pathname + context.url.search)}`,
      303,
    );
  const next = `?next=${encodeURIComponent(context.url.pathname + context.url.search)}`;
  if (staff.user.totpEnabled && !staff.session.twoFactorVerified)
    return context.redirect(staffPath(locale, 'verifica') + next, 303);
  if (staff.user.role === 'admin' && !staff.user.totpEnabled)
    return context.redirect(staffPath(locale, 'account', 'due-fattori'), 303);
  return staff;
}

/** 403 for an operation the policy refuses: nothing is changed, nothing about the object is shown. */
export function forbidden(): Response {
  return new Response('Forbidden', {
    status: 403,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
