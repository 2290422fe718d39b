// The code step of a waiting-list join as Astro Actions (issue #13), without JavaScript, for an
// event's list and a desk's alike: the join form answers 303 to its page's ?passo=codice, whose
// forms post here. The entry's id lives in the waiting list's own sealed draft (wait-drafts.ts),
// never in a URL; the right code puts the family in line and answers 303 to the list's page with
// its position. Codes typed here and sent to the API's confirm count against one lookup limit of
// their own (WAIT_CONFIRM_SCOPE).
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import { optionalField } from '#/lib/validation.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { codeEmailTarget, parseCodeInput } from '#/features/verification/code.ts';
import { confirmWaitEntry, findWaitHold, resendWaitCode, waitHoldLapsed, type WaitHoldView } from './wait-holds.ts';
import { deskWaitlistPath, eventWaitlistPath } from './wait-paths.ts';
import { positionOf } from './wait-status.ts';
import { heldWaitEntry, holdWaitEntry } from './wait-drafts.ts';
import { WAIT_CONFIRM_SCOPE } from './wait-limits.ts';

/** Where refused code forms keep their message. */
export const waitCodeForm = { flow: 'signup', scope: 'waitlist-code' } as const;

/** The code step of a list's page. */
export const codeStepPath = (listPage: string) => `${listPage}?passo=codice`;

/** The join form's answer: remember the pending entry, then its page's code step. */
export async function toWaitCodeStep(context: ActionAPIContext, id: number, listPage: string) {
  await holdWaitEntry(context, id);
  return { location: codeStepPath(listPage) };
}

/**
 * The join this browser made a moment ago on this list, still waiting for its code, for the same
 * contact and the same party (or days): Back from the code step and "join" again (the page came
 * back with a new submission key) lead to that code step, not to "already waiting". Another
 * browser, or other answers, are refused as before.
 */
export async function stillPendingHere(
  context: ActionAPIContext,
  list: { eventId: number } | { deskId: number },
  same: { phone: string | null; email: string | null; seats: number; fromDay?: string; toDay?: string },
): Promise<boolean> {
  const held = await heldWaitEntry(context);
  const w = held && (await findWaitHold(await getDb(), held.id));
  return (
    !!w &&
    ('eventId' in list ? w.eventId === list.eventId : w.deskId === list.deskId) &&
    w.status === 'pending' &&
    !waitHoldLapsed(w, new Date()) &&
    w.phone === same.phone &&
    w.email === same.email &&
    w.seats === same.seats &&
    (same.fromDay === undefined || (w.fromDay === same.fromDay && w.toDay === same.toDay))
  );
}

/** The list page of an entry, with `query`. */
function listPage(context: ActionAPIContext, w: WaitHoldView, query?: Record<string, string>) {
  const locale = context.locals.locale;
  return w.eventSlug
    ? eventWaitlistPath(locale, w.eventSlug, query)
    : deskWaitlistPath(locale, w.deskSlug ?? '', query);
}

async function heldEntry(context: ActionAPIContext) {
  const db = await getDb();
  const id = (await heldWaitEntry(context))?.id;
  const w = id === undefined ? undefined : await findWaitHold(db, id);
  // Nothing held here (another browser, or long gone): back to the page the form came from.
  if (!w) throw seeOther(context.url.pathname);
  return { db, w };
}

/** "Send again", or "use email instead" (`email`: '' for the address already given). */
async function resendTo(context: ActionAPIContext, email?: string): Promise<never> {
  const { db, w } = await heldEntry(context);
  let toEmail: string | undefined;
  if (email !== undefined) {
    toEmail = codeEmailTarget(email, w.email);
    if (!toEmail) throw new FormRefused({ errors: { email: 'events.register.error.emailInvalid' } });
  }
  const outcome = await resendWaitCode(db, w.id, toEmail ? { toEmail } : {});
  await holdWaitEntry(context, w.id, outcome.ok ? 'resent' : outcome.reason);
  throw seeOther(listPage(context, w, { passo: 'codice' }));
}

export const waitCodeActions = {
  /** The 6-digit code: the family takes its place in line. */
  verifyWaitCode: defineFormAction({
    input: z.object({ code: optionalField(40) }),
    slot: waitCodeForm,
    messages: 'events.code.',
    omit: ['code'],
    handler: async ({ code }, context) => {
      const { db, w } = await heldEntry(context);
      const typed = parseCodeInput(code);
      if (!typed) throw new FormRefused({ errors: { code: 'events.code.format' } });
      // Each code tried counts, as at the API's confirm: guessing is slow from any one address.
      const limit = await guardLookup(db, WAIT_CONFIRM_SCOPE, clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      const outcome = await confirmWaitEntry(db, w.id, typed);
      if (!outcome.ok) {
        if (outcome.reason === 'wrong') throw new FormRefused({ errors: { code: 'events.code.wrong' }, status: 422 });
        if (outcome.reason === 'locked') throw new FormRefused({ notice: 'waitlist.code.locked', status: 429 });
        throw new FormRefused({ notice: 'waitlist.code.lapsed', status: 410 });
      }
      if (w.eventSlug) await invalidateLiveData(context, [CACHE_TAGS.events, `event:${w.eventSlug}`]);
      return { location: listPage(context, w, { esito: 'iscritti', posizione: String(await positionOf(db, w.id)) }) };
    },
  }),
  resendWaitCode: defineFormAction({
    input: z.object({}),
    slot: waitCodeForm,
    messages: 'events.code.',
    handler: (_input, context) => resendTo(context),
  }),
  useEmailForWait: defineFormAction({
    input: z.object({ email: optionalField(300) }),
    slot: waitCodeForm,
    messages: 'events.code.',
    handler: ({ email }, context) => resendTo(context, email),
  }),
};
