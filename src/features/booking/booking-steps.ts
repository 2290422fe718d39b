// The requests of the HTML booking flow, POST → 303 → GET on every step. A POST stores the
// step's answers in the sealed draft cookie and redirects; the GET renders the step from the draft,
// so the Back button, a reload and the language switcher never resend a form and never lose an
// answer. A GET whose earlier steps are not done yet redirects to the first of them. A step's
// errors are shown once, by the GET the POST led to; later GETs show its answers alone.
import type { AstroCookies } from 'astro';
import { bookingPath, type BookingPage } from '#/lib/paths.ts';
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import type { Locale } from '#/lib/locales.ts';
import { createBooking } from './create-booking.ts';
import { getConfig } from '#/server/config.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { spendFormSubmission } from '#/server/security/anti-spam.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { draftText, isRecord, readFormDraft, readFormDraftEntry, saveFormDraft } from '#/server/forms/form-draft.ts';
import {
  KEPT_MAX,
  emptyDraft,
  findSlot,
  hasContactStep,
  loadWeek,
  newSubmissionKey,
  slotTakenView,
  startFormClock,
  validateDraft,
  weekOf,
  type BookingDraft,
  type CheckNotice,
  type FieldErrors,
  type FlowView,
  CHECK_NOTICES,
} from './booking-flow.ts';
import { CODE_MESSAGES, type CodeMessage } from '#/features/verification/code-step-view.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { parseSlotValue, parseWeekValue } from './flow.ts';
import { signConfirmation } from './confirmation.ts';

export type FlowStep = 'time' | 'details' | 'contact' | 'check';
const STEPS: readonly FlowStep[] = ['time', 'details', 'contact', 'check'];
const STEP_PAGES: Record<FlowStep, BookingPage | undefined> = {
  time: undefined,
  details: 'dettagli',
  contact: 'contatti',
  check: 'riepilogo',
};

/** What the draft cookie holds for the booking flow. */
export interface BookingState extends BookingDraft {
  /** The desk the answers are for: another desk's flow starts empty. */
  desk: string;
  /** Steps whose form was sent: only those show their errors (a step seen for the first time shows none). */
  submitted: FlowStep[];
  /**
   * The step whose errors the next rendered step shows (set by the POST, or the GET, that sends
   * the person there): shown once, then dropped, so a reload or a later visit shows answers only.
   */
  errorsFor?: FlowStep;
  /** Set by "confirm" when it could not book yet: shown once, on the check answers page. */
  notice?: CheckNotice;
  /** After "confirm": the pending hold whose code the code step asks for (holds.ts). */
  hold?: number;
  /** What the code step shows once: a refusal of the code typed, or "sent again". */
  codeMessage?: CodeMessage;
  /** Rate-limited until then (ms since the epoch). */
  limitedUntil?: number;
  /** After booking, only this is kept: a repeated confirm with the same key finds its confirmation. */
  done?: { key: string; path: string };
}

export interface StepContext {
  request: Request;
  url: URL;
  cookies: AstroCookies;
  clientAddress: string;
  cache: Parameters<typeof invalidateLiveData>[0]['cache'];
}

/** A redirect to follow (303), or what the page renders. */
export type StepOutcome = { redirect: string } | { view: FlowView; draft: BookingDraft; submissionKey: string };

export const emptyState = (desk: string): BookingState => ({ ...emptyDraft(), desk, submitted: [] });

/** The stored draft for this desk, every field re-checked for type and bounds (never trusted as typed). */
export function stateFromStored(data: unknown, deskSlug: string): BookingState {
  if (!isRecord(data) || data.desk !== deskSlug) return emptyState(deskSlug);
  const submitted = Array.isArray(data.submitted) ? STEPS.filter((s) => (data.submitted as unknown[]).includes(s)) : [];
  const state: BookingState = {
    desk: deskSlug,
    submitted,
    slot: draftText(data, 'slot', KEPT_MAX.slot),
    topic: draftText(data, 'topic', KEPT_MAX.topic),
    note: draftText(data, 'note', KEPT_MAX.note),
    firstName: draftText(data, 'firstName', KEPT_MAX.firstName),
    phone: draftText(data, 'phone', KEPT_MAX.phone),
    email: draftText(data, 'email', KEPT_MAX.email),
    locale: draftText(data, 'locale', KEPT_MAX.locale),
    privacyAccepted: data.privacyAccepted === true,
    formStartedAt: draftText(data, 'formStartedAt', KEPT_MAX.formStartedAt),
  };
  if (STEPS.includes(data.errorsFor as FlowStep)) state.errorsFor = data.errorsFor as FlowStep;
  if (CHECK_NOTICES.includes(data.notice as CheckNotice)) state.notice = data.notice as CheckNotice;
  if (typeof data.hold === 'number' && Number.isInteger(data.hold)) state.hold = data.hold;
  if (isRecord(data.codeMessage) && CODE_MESSAGES.includes(data.codeMessage.key as CodeMessage['key']))
    state.codeMessage = {
      key: data.codeMessage.key as CodeMessage['key'],
      count: typeof data.codeMessage.count === 'number' ? data.codeMessage.count : 0,
    };
  if (typeof data.limitedUntil === 'number') state.limitedUntil = data.limitedUntil;
  if (isRecord(data.done) && typeof data.done.key === 'string' && typeof data.done.path === 'string')
    state.done = { key: data.done.key, path: data.done.path };
  return state;
}

export const loadState = async (ctx: StepContext, desk: Desk) =>
  stateFromStored(await readFormDraft(ctx, 'booking'), desk.slug);
/** Stored for the next request; `expiresAt` keeps a draft's hour when a GET only drops what it showed. */
export const saveState = (ctx: StepContext, state: BookingState, expiresAt?: Date) =>
  saveFormDraft(ctx, 'booking', state, expiresAt);

function markSubmitted(state: BookingState, step: FlowStep): void {
  if (!state.submitted.includes(step)) state.submitted.push(step);
}

export function stepPath(
  locale: Locale,
  desk: Desk,
  step: FlowStep,
  query?: Record<string, string | undefined>,
): string {
  return bookingPath(locale, desk.slug, STEP_PAGES[step], query);
}

/** The week page to go back to when the time is missing or no longer free: the chosen time's week. */
function timePath(locale: Locale, desk: Desk, state: BookingState, week?: string): string {
  return stepPath(locale, desk, 'time', { settimana: week ?? (state.slot ? weekOf(state.slot) : undefined) });
}

/** The first step, up to `target`, whose answers are missing or wrong (`target` itself when all are fine). */
async function firstUnfinished(db: Db, desk: Desk, state: BookingState, target: FlowStep): Promise<FlowStep> {
  if (!(await findSlot(db, desk, state.slot, { free: true }))) return 'time';
  if (target === 'time' || target === 'details') return target;
  const checked = validateDraft(state, desk);
  if (Object.keys(checked.details).length > 0) return 'details';
  if (target === 'contact') return target;
  return checked.valid ? 'check' : 'contact';
}

/** What a step's page shows when the honeypot of its form was filled (the runner answers 400). */
export function refusedBookingStep(desk: Desk): Extract<StepOutcome, { view: FlowView }> {
  return { view: { step: 'refused', errors: {} }, draft: emptyState(desk.slug), submissionKey: '' };
}

// ---------------------------------------------------------------------------------------------
// GET: render a step from the draft.

export async function showBookingStep(
  ctx: StepContext,
  db: Db,
  desk: Desk,
  locale: Locale,
  step: FlowStep,
): Promise<StepOutcome> {
  const entry = await readFormDraftEntry(ctx, 'booking');
  const state = stateFromStored(entry?.data, desk.slug);
  const { errorsFor, notice } = state;
  const render = async (view: FlowView): Promise<StepOutcome> => {
    // What went wrong is shown by this render only: the draft keeps the answers without it.
    if (state.errorsFor !== undefined || (view.step === 'check' && state.notice)) {
      delete state.errorsFor;
      if (view.step === 'check') delete state.notice;
      await saveState(ctx, state, entry?.expiresAt);
    }
    return { view, draft: state, submissionKey: newSubmissionKey() };
  };
  const shown = (s: FlowStep, errors: FieldErrors): FieldErrors =>
    errorsFor === s && state.submitted.includes(s) ? errors : {};

  // A desk page or an old link may name the time in the query string (the time is not personal).
  const asked = ctx.url.searchParams.get('slot');
  if (step === 'details' && parseSlotValue(asked) && asked !== state.slot) {
    state.slot = asked!;
    await startFormClock(db, state);
    await saveState(ctx, state);
  }

  const slot = await findSlot(db, desk, state.slot, { free: true });
  if (step === 'time') {
    const errors: FieldErrors = !(errorsFor === 'time' && state.submitted.includes('time'))
      ? {}
      : !state.slot
        ? { slot: 'booking.error.slotRequired' }
        : slot
          ? {}
          : { slot: 'booking.error.slotTaken' };
    const week = parseWeekValue(ctx.url.searchParams.get('settimana')) ?? (state.slot || undefined);
    return render({ step: 'time', errors, week: await loadWeek(db, desk, week) });
  }
  if (!slot) {
    // "Confirm" found the time taken: the next free ones, answers kept.
    if (step === 'check' && state.submitted.includes('check') && parseSlotValue(state.slot))
      return render(await slotTakenView(db, desk, state));
    if (state.submitted.includes('time') && state.errorsFor !== 'time') {
      // The time chosen is gone (taken or past meanwhile): the week page says so, once.
      state.errorsFor = 'time';
      await saveState(ctx, state, entry?.expiresAt);
    }
    return { redirect: timePath(locale, desk, state) };
  }
  const checked = validateDraft(state, desk);
  if (step === 'details') return render({ step: 'details', errors: shown('details', checked.details), slot });
  if (Object.keys(checked.details).length > 0) return { redirect: stepPath(locale, desk, 'details') };
  if (step === 'contact') return render({ step: 'contact', errors: shown('contact', checked.contact), slot });
  if (!checked.valid) return { redirect: stepPath(locale, desk, 'contact') };
  const retryAfterSeconds = Math.ceil(((state.limitedUntil ?? 0) - Date.now()) / 1000);
  if (retryAfterSeconds > 0) return render({ step: 'limited', errors: {}, retryAfterSeconds });
  return render({ step: 'check', errors: {}, slot, details: checked.valid, notice });
}

// ---------------------------------------------------------------------------------------------
// POST: store the step's answers, then 303.

const STEP_FIELDS: Record<Exclude<FlowStep, 'check'>, readonly (keyof BookingDraft)[]> = {
  time: ['slot'],
  details: ['topic', 'note'],
  contact: ['firstName', 'phone', 'email', 'locale', 'privacyAccepted'],
};

/** A step's answers as its form sent them (bounded as KEPT_MAX; validated by the GET that follows). */
export type StepAnswers = Partial<Omit<BookingDraft, 'formStartedAt'>>;

/**
 * Stores a step's answers in the draft and says where to go next (303): the following step, or
 * the first earlier one still unfinished, which shows its errors once.
 */
export async function saveBookingStep(
  ctx: StepContext,
  db: Db,
  desk: Desk,
  locale: Locale,
  step: Exclude<FlowStep, 'check'>,
  sent: StepAnswers,
  week?: string,
): Promise<string> {
  const state = await loadState(ctx, desk);
  for (const field of STEP_FIELDS[step]) Object.assign(state, { [field]: sent[field as keyof StepAnswers] ?? '' });
  markSubmitted(state, step);
  delete state.done;
  await startFormClock(db, state);
  // Once "you" is filled in, changing an earlier answer returns to "check answers".
  const next: FlowStep =
    step === 'contact' || hasContactStep(state) ? 'check' : step === 'time' ? 'details' : 'contact';
  const at = await firstUnfinished(db, desk, state, next);
  state.errorsFor = at;
  await saveState(ctx, state);
  return at === 'time' ? timePath(locale, desk, state, parseWeekValue(week ?? null)) : stepPath(locale, desk, at);
}

/** The "time taken" page picks another time: back to "check answers" with it. */
export async function pickAnotherTime(ctx: StepContext, desk: Desk, locale: Locale, slot: string): Promise<string> {
  const state = await loadState(ctx, desk);
  state.slot = slot.slice(0, KEPT_MAX.slot);
  state.submitted = state.submitted.filter((s) => s !== 'check');
  delete state.notice;
  await saveState(ctx, state);
  return stepPath(locale, desk, 'check');
}

/** "Confirm" on check answers: the spam checks, the rate limit, then the booking. */
export async function confirmBooking(
  ctx: StepContext,
  db: Db,
  desk: Desk,
  locale: Locale,
  key: string | undefined,
): Promise<string> {
  const state = await loadState(ctx, desk);
  const here = stepPath(locale, desk, 'check');
  if (!key) return here;
  // Sent again after it booked (a double click, or Back and confirm): the same confirmation.
  if (state.done?.key === key) return state.done.path;
  // A full slot is left to createBooking: it may be full of this very booking (the form sent
  // twice at once), which the submission key recognises.
  const slot = await findSlot(db, desk, state.slot, { free: false });
  const checked = validateDraft(state, desk);
  if (!slot || !checked.valid || Object.keys(checked.details).length > 0) {
    markSubmitted(state, 'check');
    const at = !slot && parseSlotValue(state.slot) ? 'check' : await firstUnfinished(db, desk, state, 'check');
    state.errorsFor = at;
    await saveState(ctx, state);
    return at === 'check' ? here : stepPath(locale, desk, at);
  }
  const details = checked.valid;
  const secret = await getServerSecret(db);
  // Spent for this contact: the same answers sent again pass (the submission key books once).
  const verdict = await spendFormSubmission(
    db,
    // The honeypot was checked (and found empty) before the action ran.
    { honeypot: null, token: state.formStartedAt },
    details.phone ?? details.email,
    secret,
  );
  if (verdict === 'too_fast' || verdict === 'bad_token') {
    state.notice = verdict === 'too_fast' ? 'tooFast' : 'formExpired';
    // Missing, altered or older than a day: the person checks and confirms again, on a new clock.
    if (verdict === 'bad_token') state.formStartedAt = '';
    await startFormClock(db, state);
    await saveState(ctx, state);
    return here;
  }
  const limit = await guardPublicWrite(db, 'booking', clientIp(ctx), [details.phone, details.email]);
  if (!limit.allowed) {
    state.limitedUntil = Date.now() + limit.retryAfterSeconds * 1000;
    await saveState(ctx, state);
    return here;
  }
  const outcome = await createBooking(
    db,
    {
      desk,
      start: slot.start,
      firstName: details.firstName,
      email: details.email,
      phone: details.phone,
      topic: details.topic,
      note: details.note,
      locale: details.locale,
      submissionKey: key,
      source: 'public',
    },
    new Date(),
    {
      reminderAt: getConfig().reminderTime,
      // The hold this browser took before (Back, another time) is the only one it may give back.
      hold: { client: limitKey('hold', clientIp(ctx), secret), ...(state.hold ? { replaces: state.hold } : {}) },
    },
  );
  if (!outcome.ok) {
    markSubmitted(state, 'check');
    delete state.notice;
    if (outcome.reason in HOLD_NOTICES) state.notice = HOLD_NOTICES[outcome.reason as keyof typeof HOLD_NOTICES];
    await saveState(ctx, state);
    return here;
  }
  await invalidateLiveData(ctx, [CACHE_TAGS.slots(desk.slug)]);
  // The place is held: the code step confirms it (code-step.ts). A booking sent twice finds its hold.
  const path = bookingPath(locale, outcome.booking.deskSlug, 'codice');
  await saveState(ctx, { ...emptyState(desk.slug), hold: outcome.booking.id, done: { key, path } });
  return path;
}

/** A limit of holds (hold-limits.ts) as the check answers page says it. */
const HOLD_NOTICES = {
  too_many_holds: 'tooManyHolds',
  contact_has_booking_here: 'contactHasBookingHere',
  contact_limit: 'contactLimit',
} as const satisfies Record<string, CheckNotice>;

/** The confirmation page of a confirmed booking; the draft keeps only what recognises a repeated confirm. */
export async function confirmedPath(ctx: StepContext, db: Db, locale: Locale, desk: Desk, bookingId: number) {
  const secret = await getServerSecret(db);
  const path = bookingPath(locale, desk.slug, 'confermata', { c: signConfirmation(secret, bookingId) });
  const state = await loadState(ctx, desk);
  // The answers leave the browser (the cookie is overwritten); only what recognises a repeated
  // confirm stays, for the hour.
  await saveState(ctx, { ...emptyState(desk.slug), ...(state.done ? { done: { ...state.done, path } } : {}) });
  return path;
}
