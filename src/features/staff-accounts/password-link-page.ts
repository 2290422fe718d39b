// What the two pages behind a single-use link (staff/invito: invitation; staff/password-nuova:
// password reset) have in common: the token from the address or the form, the new password posted
// with it, and the answer when either is wrong. What follows a new password differs (a session,
// or sign-in again), so it stays with each page.
import { createHash } from 'node:crypto';
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { forgetFormInput, keepFormInput, keptFormInput } from '#/server/forms/form-page.ts';
import { readLinkToken, setPasswordFromLink, type LinkHolder, type LinkPurpose } from './invitations.ts';

export type PasswordLinkPage =
  | { passwordSet: true; userId: number }
  /** The form (holder known) or "this link does not work" (400), with the message key of a refused password (422). */
  | { passwordSet: false; token: string; holder: LinkHolder | undefined; errorKey: string | undefined };

/** Bounds on what is read from the form: a token is 43 characters, a password at most 64. */
const MAX_TOKEN = 100;
const MAX_PASSWORD = 1024;

/** The draft scope of one link: a digest, since the token itself is a secret kept out of drafts. */
const linkScope = (purpose: LinkPurpose, token: string) =>
  `link:${purpose}:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;

/**
 * Handles a GET or POST of a password link page: sets the password when the link and the password
 * are good. Otherwise a POST answers 303 back to the link (POST → 303 → GET, form-page.ts) with
 * only the refusal's message key in the staff draft (never the password, never the token), and the
 * GET tells the page what to show and sets its status. Never cached: the address carries the secret.
 */
export async function handlePasswordLink(
  astro: Pick<AstroGlobal, 'request' | 'url' | 'response' | 'cookies' | 'redirect'>,
  db: Db,
  purpose: LinkPurpose,
): Promise<PasswordLinkPage | Response> {
  astro.response.headers.set('Cache-Control', 'no-store');
  if (astro.request.method === 'POST') {
    const form = await astro.request.formData().catch(() => new FormData());
    const rawToken = form.get('token');
    const rawPassword = form.get('password');
    const token = typeof rawToken === 'string' ? rawToken.slice(0, MAX_TOKEN) : '';
    const password = typeof rawPassword === 'string' ? rawPassword.slice(0, MAX_PASSWORD) : '';
    const result = password
      ? await setPasswordFromLink(db, token, purpose, password)
      : { ok: false as const, reason: 'password' as const, messageKey: 'auth.newPassword.missing' };
    if (result.ok) {
      forgetFormInput(astro, 'staff');
      return { passwordSet: true, userId: result.userId };
    }
    // The link's own address, where the token always was (the emailed link).
    const back = `${astro.url.pathname}?token=${encodeURIComponent(token)}`;
    const errors = result.reason === 'password' ? { password: result.messageKey } : {};
    return keepFormInput(astro, 'staff', linkScope(purpose, token), back, { form: new FormData(), errors });
  }
  const token = astro.url.searchParams.get('token') ?? '';
  const kept = await keptFormInput(astro, 'staff', linkScope(purpose, token));
  const holder = await readLinkToken(db, token, purpose);
  if (!holder) astro.response.status = 400;
  return { passwordSet: false, token, holder, errorKey: holder ? kept?.errors.get('password')?.key : undefined };
}
