// The code step of a pledge as Astro Actions (/{locale}/zaino-sospeso/codice?c=…): the code typed,
// "send again", "use email instead". Each answers 303: on to the confirmation page once the code
// confirmed the pledge, otherwise back to the code step with what happened kept in the draft
// (pledge-code-view.ts reads it). The pledge is named by the page's signed link only.
import { z } from 'astro/zod';
import type { ActionAPIContext } from 'astro:actions';
import { defineFormAction, FormRefused, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { optionalField } from '#/lib/validation.ts';
import { normalizeEmail } from '#/lib/contact.ts';
import { pledgePath } from '#/lib/paths.ts';
import { parseCodeInput } from '#/features/verification/code.ts';
import { confirmPledgeHold, findPledgeHold, resendPledgeCode } from './pledge-holds.ts';
import { readPledgeConfirmation } from './pledge-confirmation.ts';
import { CODE_RESENT, pledgeCodeForm, pledgeCodeToken } from './pledge-code-view.ts';
import { CAMPAIGN_SLUG } from './pledge-form.ts';

/** The pledge of the page's link, and the page to come back to; a link that names none goes back to the page. */
async function linkedPledge(context: ActionAPIContext) {
  const db = await getDb();
  const token = pledgeCodeToken(context.url);
  const here = pledgePath(context.locals.locale, 'codice', { c: token });
  const check = readPledgeConfirmation(await getServerSecret(db), token);
  if (!check.ok) throw seeOther(here);
  return { db, id: check.pledgeId, token, here };
}

const refuse = (field: string, key: string, values?: Record<string, number>, status = 422) =>
  new FormRefused({ errors: new Map([[field, { key, ...(values ? { values } : {}) }]]), status });

const slot = (context: ActionAPIContext) => pledgeCodeForm(context.url);

export const pledgeCodeActions = {
  /** The code sent to the donor's contact: right → the pledge is open, and the confirmation page. */
  verifyPledgeCode: defineFormAction({
    input: z.object({ code: optionalField(40) }),
    slot,
    messages: 'booking.error.',
    handler: async ({ code: typed }, context) => {
      const { db, id, token, here } = await linkedPledge(context);
      const code = parseCodeInput(typed);
      if (!code) throw refuse('code', 'booking.error.codeFormat');
      const outcome = await confirmPledgeHold(db, id, code);
      if (outcome.ok) {
        await invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);
        return { location: pledgePath(context.locals.locale, 'grazie', { c: token }) };
      }
      if (outcome.reason === 'wrong') throw refuse('code', 'booking.error.codeWrong', { count: outcome.triesLeft });
      if (outcome.reason === 'locked') throw refuse('code', 'pledge.code.lockedError', undefined, 429);
      // Lapsed: the page says so, and its items are needed again.
      await invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);
      throw seeOther(here);
    },
  }),

  /** "Send the code again" (a minute apart, twice at most). */
  resendPledgeCode: defineFormAction({
    input: z.object({}),
    slot,
    messages: 'booking.error.',
    handler: async (_input, context) => {
      const { db, id, here } = await linkedPledge(context);
      return resend(db, id, here);
    },
  }),

  /** "Use email instead": to the email given, or to one added here. */
  pledgeCodeByEmail: defineFormAction({
    input: z.object({ email: optionalField(254) }),
    slot,
    messages: 'booking.error.',
    handler: async ({ email }, context) => {
      const { db, id, here } = await linkedPledge(context);
      const toEmail = email.trim() ? normalizeEmail(email) : (await findPledgeHold(db, id))?.email;
      if (!toEmail) throw refuse('code-email', 'booking.error.emailInvalid');
      return resend(db, id, here, toEmail);
    },
  }),
};

async function resend(
  db: Awaited<ReturnType<typeof getDb>>,
  id: number,
  here: string,
  toEmail?: string,
): Promise<never> {
  const outcome = await resendPledgeCode(db, id, toEmail ? { toEmail } : {});
  if (outcome.ok) throw new FormRefused({ step: CODE_RESENT });
  if (outcome.reason === 'too_soon')
    throw refuse('resend', 'booking.error.resendTooSoon', { count: outcome.retryAfterSeconds }, 429);
  if (outcome.reason === 'no_more') throw refuse('resend', 'booking.error.resendNoMore');
  throw seeOther(here);
}
