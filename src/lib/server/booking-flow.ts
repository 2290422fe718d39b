// The HTML booking flow (choose a time → details → you → check answers): what the form carries
// between steps, which step a submission leads to, and the week of slots to choose from.
// Personal data (name, contact, note) is carried only in POST bodies, as hidden fields of the next
// form; the pages (src/pages/[locale]/sportelli/[slug]/prenota/) stay thin and call resolveStep.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AstroGlobal } from 'astro';
import type { Db } from './db/database.ts';
import type { Desk } from './desks.ts';
import { listDeskSlots, nextFreeSlots, type SlotAvailability } from './bookings.ts';
import { FORM_TIMESTAMP_FIELD, HONEYPOT_FIELD, signFormTimestamp } from './anti-spam.ts';
import { getServerSecret } from './secret.ts';
import { bookingDetailsSchema, checkTopic, fieldErrors, type BookingDetails } from '../booking/validate.ts';
import { addDays, weekStart } from '../booking/slots.ts';
import { bookingPath, parseSlotValue, parseWeekValue, toLatinDigits } from '../booking/flow.ts';
import type { Locale } from '../locales.ts';
import { romeDateString, romeToInstant, parseDateOnly } from '../time.ts';

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
export const CONTACT_FIELDS = ['firstName', 'phone', 'email', 'locale', 'privacyAccepted'] as const satisfies DraftField[];

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

// Generous bounds for what is carried; the schema then applies the real limits with a message.
const MAX_CARRIED = 1000;
const text = (form: FormData | URLSearchParams, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' ? v.slice(0, MAX_CARRIED) : '';
};

export function readDraft(form: FormData | URLSearchParams): BookingDraft {
  return {
    slot: text(form, 'slot'),
    topic: text(form, 'topic'),
    note: text(form, 'note'),
    firstName: text(form, 'firstName'),
    phone: toLatinDigits(text(form, 'phone')),
    email: text(form, 'email'),
    locale: text(form, 'locale'),
    privacyAccepted: text(form, 'privacyAccepted') === 'yes',
    formStartedAt: text(form, FORM_TIMESTAMP_FIELD),
  };
}

/** True once the "you" step has been filled in: edits of earlier steps then return to "check answers". */
export function hasContactStep(draft: BookingDraft): boolean {
  return Boolean(draft.firstName || draft.phone || draft.email || draft.privacyAccepted);
}

/** Hidden fields that carry the draft through a form that edits `editing` (those are inputs there). */
export function carriedFields(draft: BookingDraft, editing: readonly (keyof BookingDraft)[]): [string, string][] {
  const values: [keyof BookingDraft, string, string][] = [
    ['slot', 'slot', draft.slot],
    ['topic', 'topic', draft.topic],
    ['note', 'note', draft.note],
    ['firstName', 'firstName', draft.firstName],
    ['phone', 'phone', draft.phone],
    ['email', 'email', draft.email],
    ['locale', 'locale', draft.locale],
    ['privacyAccepted', 'privacyAccepted', draft.privacyAccepted ? 'yes' : ''],
    ['formStartedAt', FORM_TIMESTAMP_FIELD, draft.formStartedAt],
  ];
  return values.filter(([key, , value]) => value && !editing.includes(key)).map(([, name, value]) => [name, value]);
}

export function honeypotFilled(form: FormData): boolean {
  const v = form.get(HONEYPOT_FIELD);
  return typeof v === 'string' && v.trim() !== '';
}

/** A fresh key for one rendering of "check answers": the same key submitted twice books once. */
export function newSubmissionKey(): string {
  return randomBytes(18).toString('base64url');
}

export function readSubmissionKey(form: FormData): string | undefined {
  const v = form.get('submissionKey');
  return typeof v === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(v) ? v : undefined;
}

function pick(errors: FieldErrors, fields: readonly DraftField[]): FieldErrors {
  const out: FieldErrors = {};
  for (const f of fields) if (errors[f]) out[f] = errors[f];
  return out;
}

/** Checks the details and contact steps at once; each step then shows only its own fields' errors. */
export function validateDraft(draft: BookingDraft, desk: Desk): { details: FieldErrors; contact: FieldErrors; valid?: BookingDetails } {
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
export async function loadWeek(db: Db, desk: Desk, requested: string | undefined, now: Date = new Date()): Promise<WeekOfSlots> {
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
  return { week, days, previousWeek: week > first ? addDays(week, -7) : null, nextWeek: week < last ? addDays(week, 7) : null, firstFreeLater };
}

/** The slot starting at the draft's slot value, if the desk offers it now (and, unless told otherwise, has room). */
export async function findSlot(db: Db, desk: Desk, value: string, options: { free: boolean; now?: Date }): Promise<SlotAvailability | undefined> {
  const start = parseSlotValue(value);
  if (!start) return undefined;
  const day = romeDateString(start);
  const slots = await listDeskSlots(db, desk, day, day, options.now);
  return slots.find((s) => s.start.getTime() === start.getTime() && (s.remaining > 0 || !options.free));
}

/** What a flow page shows. `carry` pages are POST forms that pass the draft on in hidden fields. */
export type FlowView =
  | { step: 'time'; errors: FieldErrors; week: WeekOfSlots; carry: boolean }
  | { step: 'details'; errors: FieldErrors; slot: SlotAvailability }
  | { step: 'contact'; errors: FieldErrors; slot: SlotAvailability }
  | { step: 'check'; errors: FieldErrors; slot: SlotAvailability; details: BookingDetails; notice?: 'formExpired' | 'tooFast' }
  | { step: 'taken'; errors: FieldErrors; alternatives: SlotAvailability[]; week: string }
  | { step: 'refused'; errors: FieldErrors }
  | { step: 'limited'; errors: FieldErrors; retryAfterSeconds: number };

export type FlowTarget = 'details' | 'contact' | 'check';

/**
 * The view for a draft heading to `target`: the steps before it must be valid, or the first one
 * that is not is shown again with its errors (GOV.UK pattern: same form, input kept, summary on top).
 */
export async function resolveStep(db: Db, desk: Desk, draft: BookingDraft, target: FlowTarget, options: { carry: boolean; confirming?: boolean; now?: Date }): Promise<FlowView> {
  const now = options.now ?? new Date();
  // When confirming, a full slot is left to createBooking: it may be full of this very booking
  // (the form sent twice), which the submission key recognises.
  const slot = await findSlot(db, desk, draft.slot, { free: !options.confirming, now });
  if (!slot) {
    const errors: FieldErrors = { slot: draft.slot ? 'booking.error.slotTaken' : 'booking.error.slotRequired' };
    return { step: 'time', errors, week: await loadWeek(db, desk, draft.slot || undefined, now), carry: options.carry };
  }
  if (target === 'details') return { step: 'details', errors: {}, slot };
  const checked = validateDraft(draft, desk);
  if (Object.keys(checked.details).length > 0) return { step: 'details', errors: checked.details, slot };
  if (target === 'contact') return { step: 'contact', errors: {}, slot };
  if (!checked.valid) return { step: 'contact', errors: checked.contact, slot };
  return { step: 'check', errors: {}, slot, details: checked.valid };
}

/** The chosen time is no longer free when "confirm" is pressed: the next free ones to pick from. */
export async function slotTakenView(db: Db, desk: Desk, draft: BookingDraft, alternatives?: SlotAvailability[], now: Date = new Date()): Promise<FlowView> {
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
  return { slot: slot.slice(0, MAX_CARRIED), topic: '', note: '', firstName: '', phone: '', email: '', locale: '', privacyAccepted: false, formStartedAt: '' };
}

/** The first form of the flow starts the clock of the minimum fill time; later ones carry it. */
export async function startFormClock(db: Db, draft: BookingDraft, now: Date = new Date()): Promise<void> {
  if (!draft.formStartedAt) draft.formStartedAt = signFormTimestamp(await getServerSecret(db), now);
}

/**
 * Where a GET of a POST-only step goes (a reload, a language switch): the answers are not in the
 * URL, so the flow starts again from the slot in the query string, or from the week view.
 */
export function restartPath(locale: Locale, deskSlug: string, url: URL): string {
  const slot = url.searchParams.get('slot');
  return parseSlotValue(slot) ? bookingPath(locale, deskSlug, 'dettagli', { slot }) : bookingPath(locale, deskSlug);
}

/** Forms and personal data are never cached, by the route cache or by anyone on the way. */
export function noStore(astro: Pick<AstroGlobal, 'response'>): void {
  astro.response.headers.set('Cache-Control', 'no-store');
}

/**
 * The status of a flow page: 422 a form shown again with errors, 409 the time was taken, 400 a
 * refused or too quick submission, 429 (with Retry-After) a rate limit.
 */
export function setFlowStatus(astro: Pick<AstroGlobal, 'response'>, view: FlowView): void {
  if (view.step === 'limited') {
    astro.response.status = 429;
    astro.response.headers.set('Retry-After', String(view.retryAfterSeconds));
  } else if (view.step === 'refused' || (view.step === 'check' && view.notice)) astro.response.status = 400;
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
  return row && { id: row.id, reference: row.reference, deskSlug: row.slug, start: row.starts_at, end: row.ends_at, status: row.status, hasEmail: Boolean(row.has_email) };
}
