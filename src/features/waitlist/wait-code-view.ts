// What a waiting-list join's code step shows (issue #13): where the code went and until when, what
// "send again" did (once), and a refused code's message; built by the verification feature's
// buildCodeStepView, as a booking's and a pledge's are. The list pages only render it.
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import type { Translate } from '#/lib/i18n.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { buildCodeStepView } from '#/features/verification/code-step-view.ts';
import { findWaitHold, waitHoldLapsed } from './wait-holds.ts';
import { waitCodeForm } from './wait-code-actions.ts';
import { heldWaitEntry, holdWaitEntry } from './wait-drafts.ts';

type Page = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect'>;

/** The code step of the join this browser holds on this list, or undefined (none, or another list's). */
export async function waitCodeStepView(
  page: Page,
  db: Db,
  list: { eventId?: number; deskId?: number },
  t: Translate,
  now: Date = new Date(),
) {
  const held = await heldWaitEntry(page);
  const w = held && (await findWaitHold(db, held.id));
  if (!w || (list.eventId !== undefined ? w.eventId !== list.eventId : w.deskId !== list.deskId)) return undefined;
  // What "send again" did is said once.
  if (held.said) await holdWaitEntry(page, held.id);
  const kept = await keptFormInput(page, 'signup', waitCodeForm.scope);
  const error = kept?.errors.get('code');
  const emailError = kept?.errors.get('email');
  const said = held.said === 'gone' ? 'waitlist.code.lapsed' : held.said && `events.code.said.${held.said}`;
  const notice = kept?.notice ?? said;
  const lapsed = waitHoldLapsed(w, now) || (w.status !== 'pending' && w.status !== 'waiting');
  const end = w.expiresAt ?? now;
  return {
    status: w.status,
    code: buildCodeStepView(w, { lapsed, start: end, end, now }),
    error: error ? t(error.key) : undefined,
    emailError: emailError ? t(emailError.key) : undefined,
    notice: notice ? t(notice) : undefined,
    resent: held.said === 'resent',
    /** Above 0: too many codes tried from this address (the page answers 429 and says until when). */
    retryAfterSeconds: kept?.retryAfterSeconds ?? 0,
  };
}

/**
 * A list page's `?passo=codice`: the code step this browser holds on the list, a 303 back to the
 * list when it holds none (or its entry is confirmed already), and 410 once the code has lapsed.
 * Undefined when the page was asked for without the step.
 */
export async function listPageCodeStep(
  page: Page & Pick<AstroGlobal, 'url'>,
  db: Db,
  list: { eventId?: number; deskId?: number },
  t: Translate,
  listPath: string,
): Promise<Response | Awaited<ReturnType<typeof waitCodeStepView>>> {
  if (page.url.searchParams.get('passo') !== 'codice') return undefined;
  const codeStep = await waitCodeStepView(page, db, list, t);
  if (!codeStep || codeStep.status === 'waiting') return page.redirect(listPath, 303);
  if (codeStep.code.lapsed) page.response.status = 410;
  return codeStep;
}
