// How every step page of the booking flow opens (/{locale}/sportelli/{slug}/prenota/…): the
// locale and the desk of the address (else the site's 404 page), never stored, the step the draft
// allows (a 303 to another step), its status, and what FlowPage renders. Each page keeps its own
// description and renders FlowPage with what this returns.
import type { AstroGlobal } from 'astro';
import { actions } from 'astro:actions';
import type { Desk } from '#/features/desks/desks.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { loadPageSubject } from '#/server/http/page-subject.ts';
import { noStore } from '#/server/http/no-store.ts';
import { refusedAsSpam } from '#/server/actions/form-page-state.ts';
import { setFlowStatus, type BookingDraft, type FlowView } from './booking-flow.ts';
import { refusedBookingStep, showBookingStep, type FlowStep, type StepOutcome } from './booking-steps.ts';
import { showCodeStep } from './code-step.ts';

/** The action each step's form posts to (flow-actions.ts), which answers 303; only its honeypot renders here. */
const STEP_ACTIONS: Record<FlowStep, Parameters<typeof refusedAsSpam>[1]> = {
  time: actions.bookings.chooseTime,
  details: actions.bookings.saveDetails,
  contact: actions.bookings.saveContact,
  check: actions.bookings.confirm,
};

/** What FlowPage renders. */
export interface BookingStepPage {
  view: FlowView;
  desk: Desk;
  draft: BookingDraft;
  submissionKey: string;
}

/**
 * The page of a step, or the answer to give instead: the 404 page (a locale or desk that is not
 * one of ours), or a 303 to the step the draft allows. 'code' is the step after "confirm"
 * (code-step.ts); its forms have no honeypot.
 */
export async function bookingStepPage(
  astro: AstroGlobal,
  step: FlowStep | 'code',
): Promise<BookingStepPage | Response> {
  const opened = await loadPageSubject(astro, getDeskBySlug);
  if (opened instanceof Response) return opened;
  const { locale, db, subject: desk } = opened;
  // Rendered from the draft cookie: never kept by the front cache (it never calls cacheLiveData) nor by anyone on the way.
  noStore(astro);
  let outcome: StepOutcome;
  if (step === 'code') outcome = await showCodeStep(astro, db, desk, locale);
  else if (refusedAsSpam(astro, STEP_ACTIONS[step])) outcome = refusedBookingStep(desk);
  else outcome = await showBookingStep(astro, db, desk, locale, step);
  if ('redirect' in outcome) return astro.redirect(outcome.redirect, 303);
  setFlowStatus(astro, outcome.view);
  return { ...outcome, desk };
}
