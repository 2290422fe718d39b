// The HTML booking flow (choose a time → details → you → check answers): the answers kept between
// steps, how they are checked, and the week of slots to choose from. Each step posts to its own
// page, which stores the answers in the sealed draft cookie (form-draft.ts) and answers 303; the
// GET that follows renders from the draft (booking-steps.ts). Personal data never goes in a URL.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { listDeskSlots, nextFreeSlots, type SlotAvailability } from './slot-availability.ts';
import { FORM_TIMESTAMP_FIELD, HONEYPOT_FIELD, signFormTimestamp } from '#/server/security/anti-spam.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { bookingDetailsSchema, checkTopic, fieldErrors, type BookingDetails } from './validate.ts';
import { addDays, weekStart } from './slots.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { parseSlotValue, parseWeekValue } from './flow.ts';
import { romeDateString, romeToInstant, parseDateOnly } from '#/lib/time.ts';
import { codeStepStatus, type CodeStepView } from '#/features/verification/code-step-view.ts';

/** Everything the flow's forms carry, as typed (validation happens per step). */
export interface BookingDraft {
  slot: string;
  topic: string;
  note: string;
  firstName: string;
  phone: string;
  email: string;
  locale: string;
  privacyAccepted: boolean;
  /** Signed when the first form was shown: the minimum fill time runs from there to "confirm". */
  formStartedAt: string;
}

export type DraftField = Exclude<keyof BookingDraft, 'formStartedAt'>;
export const DETAILS_FIELDS = ['topic', 'note'] as const satisfies DraftField[];
export const CONTACT_FIELDS = [
  'firstName',
  'phone',
  'email',
  'locale',
  'privacyAccepted',
] as const satisfies DraftField[];

/** Field → message key (booking.error.*), in the order the fields appear on the page. */
export type FieldErrors = Partial<Record<DraftField, string>>;

/** Where the error summary links: the field itself, or the first radio button of a group. */
export const FIELD_IDS: Record<DraftField, string> = {
  slot: 'slots',
  topic: 'topic-0',
  note: 'note',
  firstName: 'firstName',
  phone: 'phone',
  email: 'email',
  locale: 'locale-0',
  privacyAccepted: 'privacyAccepted',
};

/**
 * Bounds of what is kept, above the schema's limits (so an answer too long is still shown with its
 * message) and small enough that every answer at once fits the draft cookie (about 4 KB).
 */
export const KEPT_MAX = {
  slot: 40,
  topic: 64,
  note: 400,
  firstName: 160,
  phone: 40,
  email: 320,
  locale: 8,
  formStartedAt: 64,
} as const;
const text = (form: FormData | URLSearchParams, name: string, max: number) => {
  const v = form.get(name);
  return typeof v === 'string' ? v.slice(0, max) : '';
};

export function readDraft(form: FormData | URLSearchParams): BookingDraft {
  return {
    slot: text(form, 'slot', KEPT_MAX.slot),
    topic: text(form, 'topic', KEPT_MAX.topic),
    note: text(form, 'note', KEPT_MAX.note),
    firstName: text(form, 'firstName', KEPT_MAX.firstName),
    phone: toLatinDigits(text(form, 'phone', KEPT_MAX.phone)),
    email: text(form, 'email', KEPT_MAX.email),
    locale: text(form, 'locale', KEPT_MAX.locale),
    privacyAccepted: text(form, 'privacyAccepted', 3) === 'yes',
    formStartedAt: text(form, FORM_TIMESTAMP_FIELD, KEPT_MAX.formStartedAt),
  };
}

/** True once the "you" step has been filled in: edits of earlier steps then return to "check answers". */
export function hasContactStep(draft: BookingDraft): boolean {
  return Boolean(draft.firstName || draft.phone || draft.email || draft.privacyAccepted);
}

export function honeypotFilled(form: FormData): boolean {
  const v = form.get(HONEYPOT_FIELD);
  return typeof v === 'string' && v.trim() !== '';
}

/** A fresh key for one rendering of "check answers": the same key submitted twice books once. */
export function newSubmissionKey(): string {
  return randomBytes(18).toString('base64url');
}

/** A key newSubmissionKey could have made (anything else books as if none was sent). */
export function isSubmissionKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(value);
}

export function readSubmissionKey(form: FormData): string | undefined {
  const v = form.get('submissionKey');
  return isSubmissionKey(v) ? v : undefined;
}

function pick(errors: FieldErrors, fields: readonly DraftField[]): FieldErrors {
  const out: FieldErrors = {};
  for (const f of fields) if (errors[f]) out[f] = errors[f];
  return out;
}

/** Checks the details and contact steps at once; each step then shows only its own fields' errors. */
export function validateDraft(
  draft: BookingDraft,
  desk: Desk,
): { details: FieldErrors; contact: FieldErrors; valid?: BookingDetails } {
  const parsed = bookingDetailsSchema.safeParse({
    firstName: draft.firstName,
    email: draft.email,
    phone: draft.phone,
    topic: draft.topic,
    note: draft.note,
    locale: draft.locale,
    privacyAccepted: draft.privacyAccepted,
  });
  const errors: FieldErrors = parsed.success ? {} : (fieldErrors(parsed.error) as FieldErrors);
  const topicError = checkTopic(draft.topic.trim() || null, desk.services);
  if (topicError) errors.topic ??= topicError;
  const details = pick(errors, DETAILS_FIELDS);
  const contact = pick(errors, CONTACT_FIELDS);
  const valid = parsed.success && !topicError ? parsed.data : undefined;
  return { details, contact, valid };
}

/** A day the desk is open in the week shown; with no free slot it is shown as fully booked. */
export interface DayOfSlots {
  day: string;
  free: SlotAvailability[];
}

export interface WeekOfSlots {
  /** Monday, "YYYY-MM-DD". */
  week: string;
  days: DayOfSlots[];
  previousWeek: string | null;
  nextWeek: string | null;
  /** When the week has no free slot: the first free one after it (within four weeks), if any. */
  firstFreeLater: SlotAvailability | null;
}

/** Monday of the week of a slot value or a date, for "see other times" and the manage page. */
export function weekOf(value: string): string | undefined {
  const slot = parseSlotValue(value);
  if (slot) return weekStart(romeDateString(slot));
  const day = parseWeekValue(value);
  return day && weekStart(day);
}

/**
 * One week of a desk's slots, grouped by day, kept inside the desk's booking window. Without a
 * week asked for, the first week that has a free slot (a desk open on Wednesdays shows next
 * week on a Thursday).
 */
export async function loadWeek(
  db: Db,
  desk: Desk,
  requested: string | undefined,
  now: Date = new Date(),
): Promise<WeekOfSlots> {
  const shown = await loadOneWeek(db, desk, (requested && weekOf(requested)) || undefined, now);
  if (requested || !shown.firstFreeLater) return shown;
  return loadOneWeek(db, desk, weekStart(romeDateString(shown.firstFreeLater.start)), now);
}

async function loadOneWeek(db: Db, desk: Desk, requested: string | undefined, now: Date): Promise<WeekOfSlots> {
  const first = weekStart(romeDateString(now));
  const last = weekStart(romeDateString(new Date(now.getTime() + desk.maxDaysAhead * 86400000)));
  let week = requested ?? first;
  if (week < first) week = first;
  if (week > last) week = last;
  const sunday = addDays(week, 6);
  const slots = await listDeskSlots(db, desk, week, sunday, now);
  const days: DayOfSlots[] = [];
  for (const slot of slots) {
    const day = romeDateString(slot.start);
    let entry = days.at(-1);
    if (entry?.day !== day) days.push((entry = { day, free: [] }));
    if (slot.remaining > 0) entry.free.push(slot);
  }
  let firstFreeLater: SlotAvailability | null = null;
  if (!days.some((d) => d.free.length > 0)) {
    const next = parseDateOnly(addDays(week, 7))!;
    [firstFreeLater = null] = await nextFreeSlots(db, desk, romeToInstant(next.year, next.month, next.day), now, 1);
  }
  return {
    week,
    days,
    previousWeek: week > first ? addDays(week, -7) : null,
    nextWeek: week < last ? addDays(week, 7) : null,
    firstFreeLater,
  };
}

/** The slot starting at the draft's slot value, if the desk offers it now (and, unless told otherwise, has room). */
export async function findSlot(
  db: Db,
  desk: Desk,
  value: string,
  options: { free: boolean; now?: Date },
): Promise<SlotAvailability | undefined> {
  const start = parseSlotValue(value);
  if (!start) return undefined;
  const day = romeDateString(start);
  const slots = await listDeskSlots(db, desk, day, day, options.now);
  return slots.find((s) => s.start.getTime() === start.getTime() && (s.remaining > 0 || !options.free));
}

/** Why "confirm" could not book yet, shown once on check answers. */
export const CHECK_NOTICES = [
  'tooFast',
  'formExpired',
  'tooManyHolds',
  'contactHasBookingHere',
  'contactLimit',
] as const;
export type CheckNotice = (typeof CHECK_NOTICES)[number];

/** What a flow page shows. */
export type FlowView =
  | { step: 'time'; errors: FieldErrors; week: WeekOfSlots }
  | { step: 'details'; errors: FieldErrors; slot: SlotAvailability }
  | { step: 'contact'; errors: FieldErrors; slot: SlotAvailability }
  | {
      step: 'check';
      errors: FieldErrors;
      slot: SlotAvailability;
      details: BookingDetails;
      notice?: CheckNotice;
    }
  | { step: 'code'; errors: FieldErrors; code: CodeStepView }
  | { step: 'taken'; errors: FieldErrors; alternatives: SlotAvailability[]; week: string }
  | { step: 'refused'; errors: FieldErrors }
  | { step: 'limited'; errors: FieldErrors; retryAfterSeconds: number };

/** The chosen time is no longer free when "confirm" is pressed: the next free ones to pick from. */
export async function slotTakenView(
  db: Db,
  desk: Desk,
  draft: BookingDraft,
  alternatives?: SlotAvailability[],
  now: Date = new Date(),
): Promise<FlowView> {
  const start = parseSlotValue(draft.slot) ?? now;
  return {
    step: 'taken',
    errors: {},
    alternatives: alternatives ?? (await nextFreeSlots(db, desk, start, now)),
    week: weekStart(romeDateString(start)),
  };
}

/** An empty draft, for a flow that starts from a GET (only the slot may come from the URL). */
export function emptyDraft(slot = ''): BookingDraft {
  return {
    slot: slot.slice(0, KEPT_MAX.slot),
    topic: '',
    note: '',
    firstName: '',
    phone: '',
    email: '',
    locale: '',
    privacyAccepted: false,
    formStartedAt: '',
  };
}

/** The first form of the flow starts the clock of the minimum fill time; later ones carry it. */
export async function startFormClock(db: Db, draft: BookingDraft, now: Date = new Date()): Promise<void> {
  if (!draft.formStartedAt) draft.formStartedAt = signFormTimestamp(await getServerSecret(db), now);
}

/** Forms and personal data are never cached, by the route cache or by anyone on the way. */
/**
 * The status of a flow page: 422 a form shown again with errors, 409 the time was taken, 400 a
 * refused or too quick submission, 429 (with Retry-After) a rate limit.
 */
export function setFlowStatus(astro: Pick<AstroGlobal, 'response'>, view: FlowView): void {
  if (view.step === 'limited') {
    astro.response.status = 429;
    astro.response.headers.set('Retry-After', String(view.retryAfterSeconds));
  } else if (view.step === 'code') astro.response.status = codeStepStatus(view.code);
  else if (view.step === 'check' && view.notice === 'tooManyHolds') astro.response.status = 429;
  else if (view.step === 'check' && (view.notice === 'contactHasBookingHere' || view.notice === 'contactLimit'))
    astro.response.status = 409;
  else if (view.step === 'refused' || (view.step === 'check' && view.notice)) astro.response.status = 400;
  else if (view.step === 'taken') astro.response.status = 409;
  else if (Object.keys(view.errors).length > 0) astro.response.status = 422;
}

/** A booking as its confirmation page and calendar file show it (no personal data but the reference). */
export interface ConfirmedBooking {
  id: number;
  reference: string;
  deskSlug: string;
  start: Date;
  end: Date;
  status: string;
  hasEmail: boolean;
}

export async function findBookingForConfirmation(db: Db, bookingId: number): Promise<ConfirmedBooking | undefined> {
  const row = await db
    .selectFrom('booking')
    .innerJoin('desk', 'desk.id', 'booking.desk_id')
    // Whether there is an email, not the email itself: the page only words its advice by it.
    .select(['booking.id', 'booking.reference', 'desk.slug', 'booking.starts_at', 'booking.ends_at', 'booking.status'])
    .select(sql<boolean>`booking.email IS NOT NULL`.as('has_email'))
    .where('booking.id', '=', bookingId)
    .where('booking.erased_at', 'is', null)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      reference: row.reference,
      deskSlug: row.slug,
      start: row.starts_at,
      end: row.ends_at,
      status: row.status,
      hasEmail: Boolean(row.has_email),
    }
  );
}
