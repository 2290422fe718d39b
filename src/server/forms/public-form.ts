// The last checks before a public one-page form (volunteer sign-up, pledge) writes anything, once
// its fields are valid: the signed timestamp and honeypot (anti-spam.ts), then the rate limit of
// its client address and contact (request-guard.ts). Each refusal comes with its status set, so
// the page only picks what to show.
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { HONEYPOT_FIELD, spendFormSubmission } from '#/server/security/anti-spam.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { contactKeys, type GivenContacts } from '#/lib/contact.ts';

/**
 * `ok`: go ahead and write. Otherwise what the page shows instead:
 *   the form again with a notice (400): sent too soon after it was shown (`tooFast`), or its
 *     timestamp is missing, altered, a day old or spent by another contact (`formExpired`: it is sent again on a new clock);
 *   `refused` (400): the honeypot was filled in;
 *   `limited` (429 with Retry-After): too many writes from this address or contact.
 */
export type Screening =
  | { ok: true }
  | {
      ok: false;
      view: 'form' | 'refused' | 'limited';
      notice: 'tooFast' | 'formExpired' | undefined;
      retryAfterSeconds: number;
    };

export async function screenSubmission(
  astro: Pick<AstroGlobal, 'response' | 'request' | 'clientAddress'>,
  db: Db,
  input: { form: FormData; formStartedAt: string; secret: string; scope: string; contact: GivenContacts },
): Promise<Screening> {
  // The timestamp is spent here, for this contact (the first given): another contact sending it again is refused.
  const [stampContact] = contactKeys(input.contact);
  const verdict = await spendFormSubmission(
    db,
    { honeypot: input.form.get(HONEYPOT_FIELD), token: input.formStartedAt },
    stampContact ?? null,
    input.secret,
  );
  if (verdict !== 'ok') {
    astro.response.status = 400;
    if (verdict === 'honeypot') return { ok: false, view: 'refused', notice: undefined, retryAfterSeconds: 0 };
    return {
      ok: false,
      view: 'form',
      notice: verdict === 'too_fast' ? 'tooFast' : 'formExpired',
      retryAfterSeconds: 0,
    };
  }
  const limit = await guardPublicWrite(db, input.scope, clientIp(astro), input.contact);
  if (limit.allowed) return { ok: true };
  astro.response.status = 429;
  astro.response.headers.set('Retry-After', String(limit.retryAfterSeconds));
  return { ok: false, view: 'limited', notice: undefined, retryAfterSeconds: limit.retryAfterSeconds };
}
