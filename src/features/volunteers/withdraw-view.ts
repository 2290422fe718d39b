// What the withdraw link's page (/{locale}/volontari/ritira?token=…) shows: the question and its
// button, "done" after the action's 303, "not found" (404) for a wrong link, or the lookup limit.
// Pure: the page gives what the action kept and the address.
import type { Translate } from '#/lib/i18n.ts';
import type { KeptFormInput } from '#/server/forms/form-page.ts';
import { WITHDRAW_NOT_FOUND } from './actions.ts';

export type WithdrawStep = 'ask' | 'done' | 'not-found' | 'limited';

export function withdrawView(kept: KeptFormInput | undefined, token: string, outcome: string | null, t: Translate) {
  const retryAfterSeconds = kept?.retryAfterSeconds ?? 0;
  const wellFormed = /^\d{1,10}\.[A-Za-z0-9_-]{43}$/.test(token);
  const step: WithdrawStep =
    outcome === 'ritirato'
      ? 'done'
      : retryAfterSeconds > 0
        ? 'limited'
        : kept?.notice === WITHDRAW_NOT_FOUND || !wellFormed
          ? 'not-found'
          : 'ask';
  const titles: Record<WithdrawStep, string> = {
    ask: t('volunteer.withdraw.title'),
    done: t('volunteer.withdraw.doneTitle'),
    'not-found': t('volunteer.withdraw.notFoundTitle'),
    limited: t('booking.limit.title'),
  };
  return { step, retryAfterSeconds, title: titles[step] };
}
