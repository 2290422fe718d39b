// The anti-spam and rate-limit checks of a public form action, once its fields are valid: the
// signed form stamp (spent for this contact) and the per-address and per-contact write limits
// (src/server/forms/public-form.ts). A refusal is thrown as FormRefused, with what the page shows.
import type { ActionAPIContext } from 'astro:actions';
import type { Db } from '#/server/db/database.ts';
import { FORM_TIMESTAMP_FIELD } from '#/server/security/anti-spam.ts';
import { screenSubmission } from '#/server/forms/public-form.ts';
import type { GivenContacts } from '#/lib/contact.ts';
import { FormRefused } from './form-action.ts';

export async function screenPublicForm(
  context: ActionAPIContext,
  db: Db,
  input: { formStartedAt: string; secret: string; scope: string; contact: GivenContacts },
): Promise<void> {
  // The honeypot was checked (and found empty) by the runner before the action ran.
  const screened = await screenSubmission(
    // Statuses go with the refusal, not on a response: this adapter only receives them.
    {
      request: context.request,
      // Read only when needed (clientIp falls back to it), as Astro's own getter may throw.
      get clientAddress() {
        return context.clientAddress;
      },
      response: { headers: new Headers() },
    },
    db,
    { ...input, form: new FormData() },
  );
  if (screened.ok) return;
  if (screened.view === 'limited') throw new FormRefused({ retryAfterSeconds: screened.retryAfterSeconds });
  // Too fast, or a stamp missing, altered, a day old or spent: the form again, on a new clock
  // when the stamp itself was the trouble.
  throw new FormRefused({
    notice: screened.notice,
    status: 400,
    omit: screened.notice === 'formExpired' ? [FORM_TIMESTAMP_FIELD] : [],
  });
}
