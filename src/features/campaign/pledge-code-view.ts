// What the code step of a pledge (/{locale}/zaino-sospeso/codice?c=…) shows, and what the JSON API
// says of a pending pledge: where the code went (masked), until when the items are held, and, once,
// what happened to the last form sent (kept in the draft by pledge-code-actions.ts). The page is
// addressed by the same signed, expiring link as the confirmation page (pledge-confirmation.ts), so
// a language switch keeps it; a confirmed pledge's link goes on to the confirmation.
import type { AstroGlobal } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { pledgePath } from '#/lib/paths.ts';
import {
  buildCodeStepView,
  codeSentToJson,
  codeStepStatus,
  type CodeStepView,
} from '#/features/verification/code-step-view.ts';
import { findPledgeHold, pledgeHoldLapsed, type PledgeHoldView } from './pledge-holds.ts';
import { readPledgeConfirmation } from './pledge-confirmation.ts';
import { getCollectionWindow, loadPledgeView, type PledgeView, type WindowInfo } from './pledge-view.ts';

type Astro = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect' | 'url'>;

/** The code page's link token (longer than any we sign). */
export const pledgeCodeToken = (url: URL) => (url.searchParams.get('c') ?? '').slice(0, 200);
/** The code step's draft, per link: the last form's outcome. */
export const pledgeCodeForm = (url: URL) => ({ flow: 'pledge', scope: `pledge-code:${pledgeCodeToken(url)}` }) as const;
/** Kept step: a new code went. */
export const CODE_RESENT = 'resent';

/** A pending pledge in the JSON API: its status, until when it is held, and where its code went. */
export function pledgeHoldJson(hold: PledgeHoldView | undefined) {
  const pending = hold?.status === 'pending';
  return {
    status: hold?.status ?? 'pending',
    hold_expires_at: pending && hold.expiresAt ? hold.expiresAt.toISOString() : null,
    code_sent_to: hold ? codeSentToJson(hold) : null,
  };
}

export type PledgeCodePage =
  | { redirect: string }
  | { view: 'not-found'; title: string }
  | {
      view: 'code';
      title: string;
      window: WindowInfo;
      /** What is promised, where and when (none once a lapsed hold's data is gone). */
      pledge: PledgeView | undefined;
      code: CodeStepView;
      /** The code field's message, and the one of "use email instead". */
      error?: string;
      emailError?: string;
      summary: { href: string; text: string }[];
      resent: boolean;
    };

export async function loadPledgeCodeView(astro: Astro, locale: Locale, t: Translate): Promise<PledgeCodePage> {
  const db = await getDb();
  const token = pledgeCodeToken(astro.url);
  const check = readPledgeConfirmation(await getServerSecret(db), token);
  const hold = check.ok ? await findPledgeHold(db, check.pledgeId) : undefined;
  if (hold?.status === 'pledged') return { redirect: pledgePath(locale, 'grazie', { c: token }) };
  const window = hold && (await getCollectionWindow(db, hold.windowId));
  if (!hold || !window) {
    astro.response.status = check.ok || check.reason === 'invalid' ? 404 : 410;
    return { view: 'not-found', title: t('pledge.done.expired.title') };
  }
  const slot = pledgeCodeForm(astro.url);
  const kept = await keptFormInput(astro, slot.flow, slot.scope);
  const now = new Date();
  const code = buildCodeStepView(hold, {
    lapsed: pledgeHoldLapsed(hold, now) || hold.status !== 'pending',
    start: window.startsAt,
    end: window.endsAt,
    now,
  });
  const message = (field: string) => {
    const m = kept?.errors.get(field);
    return m && t(m.key, m.values);
  };
  const error = message('code') ?? message('resend');
  const emailError = message('code-email');
  const summary = [
    ...(error ? [{ href: '#code', text: error }] : []),
    ...(emailError ? [{ href: '#code-email', text: emailError }] : []),
  ];
  // A lapsed hold answers 410; a kept refusal set its own status (422, 429).
  if (code.lapsed) astro.response.status = codeStepStatus(code);
  const title = t('booking.code.title');
  return {
    view: 'code',
    window,
    pledge: await loadPledgeView(db, hold.id),
    title: summary.length > 0 ? t('booking.errorTitle', { title }) : title,
    code,
    ...(error ? { error } : {}),
    ...(emailError ? { emailError } : {}),
    summary,
    resent: kept?.step === CODE_RESENT,
  };
}
