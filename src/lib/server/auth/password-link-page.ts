// What the two pages behind a single-use link (staff/invito: invitation; staff/password-nuova:
// password reset) have in common: the token from the address or the form, the new password posted
// with it, and the answer when either is wrong. What follows a new password differs (a session,
// or sign-in again), so it stays with each page.
import type { AstroGlobal } from 'astro';
import type { Db } from '../db/database.ts';
import { readLinkToken, setPasswordFromLink, type LinkHolder, type LinkPurpose } from './invitations.ts';

export type PasswordLinkPage =
  | { passwordSet: true; userId: number }
  /** The form (holder known) or "this link does not work" (400), with the message key of a refused password (422). */
  | { passwordSet: false; token: string; holder: LinkHolder | undefined; errorKey: string | undefined };

/** Bounds on what is read from the form: a token is 43 characters, a password at most 64. */
const MAX_TOKEN = 100;
const MAX_PASSWORD = 1024;

/**
 * Handles a GET or POST of a password link page: sets the password when the link and the password
 * are good; otherwise tells the page what to show and sets its status. Never cached: the address
 * carries the secret.
 */
export async function handlePasswordLink(astro: Pick<AstroGlobal, 'request' | 'url' | 'response'>, db: Db, purpose: LinkPurpose): Promise<PasswordLinkPage> {
  astro.response.headers.set('Cache-Control', 'no-store');
  let token = astro.url.searchParams.get('token') ?? '';
  let errorKey: string | undefined;
  if (astro.request.method === 'POST') {
    const form = await astro.request.formData().catch(() => new FormData());
    const rawToken = form.get('token');
    const rawPassword = form.get('password');
    token = typeof rawToken === 'string' ? rawToken.slice(0, MAX_TOKEN) : '';
    const password = typeof rawPassword === 'string' ? rawPassword.slice(0, MAX_PASSWORD) : '';
    const result = password ? await setPasswordFromLink(db, token, purpose, password) : { ok: false as const, reason: 'password' as const, messageKey: 'auth.newPassword.missing' };
    if (result.ok) return { passwordSet: true, userId: result.userId };
    if (result.reason === 'password') {
      errorKey = result.messageKey;
      astro.response.status = 422;
    }
  }
  const holder = await readLinkToken(db, token, purpose);
  if (!holder) astro.response.status = 400;
  return { passwordSet: false, token, holder, errorKey };
}
