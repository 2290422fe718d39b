// What the two pages behind a single-use link (staff/invito: invitation; staff/password-nuova:
// password reset) show: the new-password form while the link works, with the message of a refused
// password (kept by the action, sign-in-actions.ts), else "this link does not work" (400).
import type { AstroGlobal } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { readLinkToken, type LinkHolder, type LinkPurpose } from './invitations.ts';
import { linkScope, linkToken } from './sign-in-actions.ts';

export interface PasswordLinkPage {
  token: string;
  holder: LinkHolder | undefined;
  errorKey: string | undefined;
}

/** Reads the link of this GET; never cached, since the address carries the secret. */
export async function readPasswordLink(
  astro: Pick<AstroGlobal, 'url' | 'response' | 'cookies' | 'redirect'>,
  purpose: LinkPurpose,
): Promise<PasswordLinkPage> {
  astro.response.headers.set('Cache-Control', 'no-store');
  const token = linkToken(astro.url);
  const kept = await keptFormInput(astro, 'staff', linkScope(purpose, token));
  const holder = await readLinkToken(await getDb(), token, purpose);
  if (!holder) astro.response.status = 400;
  return { token, holder, errorKey: holder ? kept?.errors.get('password')?.key : undefined };
}
