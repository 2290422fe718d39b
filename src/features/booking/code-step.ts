// The code step of the HTML booking flow (after "confirm", which took the place as a pending hold):
// GET shows where the code went; its three forms — the code, "send again", "use email instead" —
// post to Actions that store the outcome in the draft and answer 303 (POST → 303 → GET, no JS).
// The hold's id lives in the sealed draft cookie only, never in the URL.
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import type { Locale } from '#/lib/locales.ts';
import { codeEmailTarget, parseCodeInput } from '#/features/verification/code.ts';
import { getConfig } from '#/server/config.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { confirmHold, findHold, holdLapsed, resendHoldCode } from './holds.ts';
import { confirmedPath, loadState, saveState, stepPath, type StepContext, type StepOutcome } from './booking-steps.ts';
import { bookingPath } from '#/lib/paths.ts';
import { buildCodeStepView, type CodeMessage } from '#/features/verification/code-step-view.ts';

const codePath = (locale: Locale, desk: Desk) => bookingPath(locale, desk.slug, 'codice');

export async function showCodeStep(ctx: StepContext, db: Db, desk: Desk, locale: Locale): Promise<StepOutcome> {
  const state = await loadState(ctx, desk);
  const hold = state.hold === undefined ? undefined : await findHold(db, state.hold);
  if (!hold || hold.deskSlug !== desk.slug) return { redirect: stepPath(locale, desk, 'time') };
  if (hold.status === 'confirmed') return { redirect: await confirmedPath(ctx, db, locale, desk, hold.id) };
  const message = state.codeMessage;
  if (message) {
    delete state.codeMessage;
    await saveState(ctx, state);
  }
  const now = new Date();
  return {
    view: {
      step: 'code',
      errors: {},
      code: buildCodeStepView(hold, {
        lapsed: holdLapsed(hold, now) || hold.status !== 'pending',
        start: hold.start,
        end: hold.end,
        now,
        message,
      }),
    },
    draft: state,
    submissionKey: '',
  };
}

async function remember(ctx: StepContext, desk: Desk, message: CodeMessage): Promise<void> {
  const state = await loadState(ctx, desk);
  state.codeMessage = message;
  await saveState(ctx, state);
}

/** The code typed: right → the confirmation page; otherwise back to the code step, which says why. */
export async function verifyCodeStep(
  ctx: StepContext,
  db: Db,
  desk: Desk,
  locale: Locale,
  typed: string,
): Promise<string> {
  const state = await loadState(ctx, desk);
  const here = codePath(locale, desk);
  if (state.hold === undefined) return stepPath(locale, desk, 'time');
  const code = parseCodeInput(typed);
  if (!code) {
    await remember(ctx, desk, { key: 'codeFormat', count: 0 });
    return here;
  }
  const outcome = await confirmHold(db, state.hold, code, { reminderAt: getConfig().reminderTime });
  if (outcome.ok) return confirmedPath(ctx, db, locale, desk, outcome.bookingId);
  if (outcome.reason === 'wrong') await remember(ctx, desk, { key: 'codeWrong', count: outcome.triesLeft });
  else if (outcome.reason === 'locked') await remember(ctx, desk, { key: 'codeLocked', count: 0 });
  else await invalidateLiveData(ctx, [CACHE_TAGS.slots(desk.slug)]);
  return here;
}

/** "Send again", or "use email instead" (`email`: '' for the address already given). */
export async function resendCodeStep(
  ctx: StepContext,
  db: Db,
  desk: Desk,
  locale: Locale,
  email?: string,
): Promise<string> {
  const state = await loadState(ctx, desk);
  const here = codePath(locale, desk);
  if (state.hold === undefined) return stepPath(locale, desk, 'time');
  let toEmail: string | undefined;
  if (email !== undefined) {
    const hold = await findHold(db, state.hold);
    toEmail = codeEmailTarget(email, hold?.email);
    if (!toEmail) {
      await remember(ctx, desk, { key: 'emailInvalid', count: 0 });
      return here;
    }
  }
  const outcome = await resendHoldCode(db, state.hold, toEmail ? { toEmail } : {});
  if (outcome.ok) await remember(ctx, desk, { key: 'resent', count: 0 });
  else if (outcome.reason === 'too_soon')
    await remember(ctx, desk, { key: 'resendTooSoon', count: outcome.retryAfterSeconds });
  else if (outcome.reason === 'no_more') await remember(ctx, desk, { key: 'resendNoMore', count: 0 });
  return here;
}
