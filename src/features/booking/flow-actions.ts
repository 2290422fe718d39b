// The booking flow's four steps as Astro Actions (choose a time → details → you → check answers),
// plus "pick another time" on the "time taken" page. Each keeps its answers in the flow's own
// sealed draft (booking-steps.ts: shown as typed, checked by the GET that follows, errors once)
// and answers 303 with `seeOther`, never `{ location }`: the runner would forget that draft.
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { defineFormAction, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import { optionalField, ticked } from '#/lib/validation.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { KEPT_MAX, isSubmissionKey } from './booking-flow.ts';
import { confirmBooking, pickAnotherTime, saveBookingStep, type StepAnswers } from './booking-steps.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { resendCodeStep, verifyCodeStep } from './code-step.ts';

/** The flow's draft; its refusals never pass through the runner's keeper (see above). */
export const BOOKING_FLOW = { flow: 'booking', scope: 'prenota' } as const;

/**
 * What each step's form sends, bounded, never refused: a wrong answer is kept as typed and shown
 * with its message by the step's GET (validateDraft, the rules of the JSON API).
 */
const answers = {
  time: z.object({ slot: optionalField(KEPT_MAX.slot), settimana: optionalField(20) }),
  details: z.object({ topic: optionalField(KEPT_MAX.topic), note: optionalField(KEPT_MAX.note) }),
  contact: z.object({
    firstName: optionalField(KEPT_MAX.firstName),
    phone: optionalField(KEPT_MAX.phone).transform(toLatinDigits),
    email: optionalField(KEPT_MAX.email),
    locale: optionalField(KEPT_MAX.locale),
    privacyAccepted: ticked(),
  }),
};

/** The desk of the page posted to (/{locale}/sportelli/{slug}/prenota/…), or its 404. */
async function flowDesk(context: ActionAPIContext) {
  const db = await getDb();
  const desk = await getDeskBySlug(db, context.params.slug ?? '');
  // Gone meanwhile: the page's own GET says so (404).
  if (!desk) throw seeOther(context.url.pathname);
  return { db, desk, locale: context.locals.locale };
}

function stepAction<S extends 'time' | 'details' | 'contact'>(step: S) {
  return defineFormAction({
    // One schema per step; typed as what every step's answers have in common.
    input: answers[step] as z.ZodType<StepAnswers & { settimana?: string }>,
    slot: BOOKING_FLOW,
    messages: 'booking.error.',
    honeypot: true,
    handler: async (input, context) => {
      const { db, desk, locale } = await flowDesk(context);
      throw seeOther(await saveBookingStep(context, db, desk, locale, step, input, input.settimana));
    },
  });
}

export const bookingFlow = {
  chooseTime: stepAction('time'),
  saveDetails: stepAction('details'),
  saveContact: stepAction('contact'),
  /** "Confirm" on check answers: the spam checks, the rate limit, then the booking (booking-steps.ts). */
  confirm: defineFormAction({
    input: z.object({ submissionKey: optionalField(100) }),
    slot: BOOKING_FLOW,
    messages: 'booking.error.',
    honeypot: true,
    handler: async ({ submissionKey }, context) => {
      const { db, desk, locale } = await flowDesk(context);
      const key = isSubmissionKey(submissionKey) ? submissionKey : undefined;
      throw seeOther(await confirmBooking(context, db, desk, locale, key));
    },
  }),
  /** The code step: the 6-digit code sent to the contact confirms the held place (code-step.ts). */
  verifyCode: defineFormAction({
    input: z.object({ code: optionalField(40) }),
    slot: BOOKING_FLOW,
    messages: 'booking.error.',
    handler: async ({ code }, context) => {
      const { db, desk, locale } = await flowDesk(context);
      throw seeOther(await verifyCodeStep(context, db, desk, locale, code));
    },
  }),
  /** "Send the code again". */
  resendCode: defineFormAction({
    input: z.object({}),
    slot: BOOKING_FLOW,
    messages: 'booking.error.',
    handler: async (_input, context) => {
      const { db, desk, locale } = await flowDesk(context);
      throw seeOther(await resendCodeStep(context, db, desk, locale));
    },
  }),
  /** "Use email instead": to the email given, or to one added here. */
  useEmail: defineFormAction({
    input: z.object({ email: optionalField(KEPT_MAX.email) }),
    slot: BOOKING_FLOW,
    messages: 'booking.error.',
    handler: async ({ email }, context) => {
      const { db, desk, locale } = await flowDesk(context);
      throw seeOther(await resendCodeStep(context, db, desk, locale, email));
    },
  }),
  /** The "time taken" page: another of the next free times, then check answers again. */
  pickAnotherTime: defineFormAction({
    input: z.object({ slot: optionalField(KEPT_MAX.slot) }),
    slot: BOOKING_FLOW,
    messages: 'booking.error.',
    handler: async ({ slot }, context) => {
      const { desk, locale } = await flowDesk(context);
      throw seeOther(await pickAnotherTime(context, desk, locale, slot));
    },
  }),
};
