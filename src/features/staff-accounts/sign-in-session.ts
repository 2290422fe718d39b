// What follows a sign-in step: a new session and its cookie, the cookie deleted at sign-out, and
// where the browser may go next. Apart from the throttle (throttle.ts), which only counts attempts.
import type { AstroGlobal } from 'astro';
import { STAFF_LOCALES } from '#/lib/locales.ts';
import { staffPath, type StaffPage } from '#/lib/paths.ts';
import type { Db } from '#/server/db/database.ts';
import { createSession, generateSessionToken, invalidateSession, DEFAULT_SESSION_POLICY } from './session.ts';
import { staffCookie } from './guard.ts';

/** The sign-in steps, never a place to go back to after signing in. */
const SIGN_IN_STEPS: readonly StaffPage[] = ['accesso', 'esci', 'verifica'];

/**
 * Signs the user in with a NEW session (a token from the request is never reused, so a session
 * planted before sign-in cannot become the signed-in one) and ends the session the request came
 * with, if any.
 */
export async function startSession(
  context: Pick<AstroGlobal, 'cookies' | 'locals'>,
  db: Db,
  userId: number,
  options: { twoFactorVerified: boolean },
): Promise<void> {
  const previous = context.locals.staff?.session.id;
  if (previous) await invalidateSession(db, previous);
  const token = generateSessionToken();
  await createSession(db, token, userId, { twoFactorVerified: options.twoFactorVerified });
  const cookie = staffCookie();
  context.cookies.set(cookie.name, token, {
    ...cookie.options,
    maxAge: Math.floor(DEFAULT_SESSION_POLICY.absoluteMs / 1000),
  });
  context.locals.staff = null;
}

/** Deletes the session cookie (sign-out). */
export function clearSessionCookie(context: Pick<AstroGlobal, 'cookies'>): void {
  const cookie = staffCookie();
  context.cookies.delete(cookie.name, {
    path: cookie.options.path,
    secure: cookie.options.secure,
    httpOnly: true,
    sameSite: 'lax',
  });
}

/**
 * Where to go after sign-in: `next` only when it is a path of this site's staff area (never another
 * origin, a protocol-relative "//host", a backslash trick or a path outside /{locale}/staff).
 */
export function safeNext(next: string | null | undefined, locale: string): string {
  const home = staffPath(locale);
  if (!next || next.length > 1000 || !next.startsWith('/') || next.startsWith('//') || /[\\\s]/.test(next)) return home;
  let url: URL;
  try {
    url = new URL(next, 'http://staff.invalid');
  } catch {
    return home;
  }
  if (url.origin !== 'http://staff.invalid') return home;
  const inStaff = STAFF_LOCALES.some(
    (l) => url.pathname === staffPath(l) || url.pathname.startsWith(`${staffPath(l)}/`),
  );
  // Never back to the sign-in steps themselves.
  const signInStep = STAFF_LOCALES.some((l) => SIGN_IN_STEPS.some((page) => url.pathname === staffPath(l, page)));
  if (!inStaff || signInStep) return home;
  return url.pathname + url.search;
}
