// What the confirmation link's page (/{locale}/volontari/conferma?token=…) shows. Its GET changes
// nothing (mail scanners open links): it shows what the button would confirm; the button posts to
// volunteers.confirm (actions.ts), which answers 303 to "confirmed" (?esito=confermato, no token) or
// back here with the outcome kept in the draft. A link that names nothing is "expired or used"
// (410), counted per address (then 429), so links cannot be tried one after another. The code typed
// on "check your email" (volunteers.confirmCode) ends here too (?esito=codice).
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { refuseUnknownLink } from '#/server/security/secret-link.ts';
import { CONFIRM_EXPIRED, confirmForm } from './actions.ts';
import { findPendingConfirmation, type PendingConfirmation } from './volunteers.ts';

export type ConfirmStep = 'ask' | 'done' | 'code-done' | 'expired' | 'limited';

export interface ConfirmView {
  step: ConfirmStep;
  pending: PendingConfirmation | undefined;
  retryAfterSeconds: number;
  title: string;
}

type PageContext = Pick<AstroGlobal, 'response' | 'request' | 'clientAddress' | 'cookies' | 'redirect' | 'url'>;

export async function confirmView(astro: PageContext, db: Db, token: string, t: Translate): Promise<ConfirmView> {
  const view: ConfirmView = { step: 'ask', pending: undefined, retryAfterSeconds: 0, title: '' };
  const outcome = astro.url.searchParams.get('esito');
  if (outcome === 'confermato') view.step = 'done';
  else if (outcome === 'codice') view.step = 'code-done';
  else {
    const slot = confirmForm(astro.url);
    const kept = await keptFormInput(astro, slot.flow, slot.scope);
    if (kept?.retryAfterSeconds) [view.step, view.retryAfterSeconds] = ['limited', kept.retryAfterSeconds];
    else if (kept?.notice === CONFIRM_EXPIRED) {
      // Its 410 was set by keptFormInput from the draft; the button's POST counted the look-up.
      view.step = 'expired';
    } else {
      view.pending = await findPendingConfirmation(db, token);
      if (!view.pending) {
        // The link may have expired or been used: 410 rather than 404.
        const refusal = await refuseUnknownLink(astro, db, 'volunteer-confirm', 410);
        [view.step, view.retryAfterSeconds] = [
          refusal.view === 'limited' ? 'limited' : 'expired',
          refusal.retryAfterSeconds,
        ];
      }
    }
  }
  const titles: Record<ConfirmStep, string> = {
    ask: t(view.pending?.change ? 'volunteer.confirm.changeTitle' : 'volunteer.confirm.title'),
    done: t('volunteer.confirmed.title'),
    'code-done': t('volunteer.code.doneTitle'),
    expired: t('volunteer.expired.title'),
    limited: t('booking.limit.title'),
  };
  view.title = titles[view.step];
  return view;
}
