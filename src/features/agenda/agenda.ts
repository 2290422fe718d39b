// The staff side of the desks: the agenda of a day or a week, attendance, cancelling and booking for
// a family on the phone, the CSV export, and the desk's settings (slot length, capacity, booking
// window, weekly hours, closures, extra openings).
//
// Authorization is the page's job: it calls `can(actor, {kind: 'desk.agenda' | 'desk.settings', desk})`
// on the desk it loaded, then passes that desk's id here. Every function scopes every statement to
// that desk id, so an id of another desk's booking, closure or extra opening (a forged form field)
// finds nothing and changes nothing: the result is `not_found`, exactly as for an id that does not exist.
//
// Validation messages are locale keys: `booking.error.*` for the phone booking (the same rules and
// words as the public flow), `staff.desk.error.*` for the settings.
import { sql } from 'kysely';
import type { BookingStatus, Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { cancelBooking, createBooking, type BookingOutcome } from '#/features/booking/bookings.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { addDays, weekStart } from '#/features/booking/slots.ts';
import { isHoliday } from '#/features/booking/holidays.ts';
import { parseSlotValue } from '#/features/booking/flow.ts';
import { NAME_MAX, NOTE_MAX, checkTopic } from '#/features/booking/validate.ts';
import { normalizeEmail, normalizePhone } from '#/lib/contact.ts';
import { parseDateOnly, romeDateString, romeParts, romeToInstant } from '#/lib/time.ts';
import { toCsv } from '#/lib/csv.ts';
import { isLocale, type Locale } from '#/lib/locales.ts';
import { serviceKey } from '#/features/desks/services.ts';
import type { Translate } from '#/lib/i18n.ts';

// ---------------------------------------------------------------------------------------------
// Days and views

export type AgendaView = 'giorno' | 'settimana';

/** The days an agenda view covers: the day itself, or Monday to Sunday of its week. */
export function agendaRange(day: string, view: AgendaView): { from: string; to: string } {
  if (view === 'giorno') return { from: day, to: day };
  const from = weekStart(day);
  return { from, to: addDays(from, 6) };
}

/** Midnight (Rome) at the start of a "YYYY-MM-DD" day. */
function startOfDay(day: string): Date {
  const d = parseDateOnly(day);
  if (!d) throw new RangeError(`not a day: ${day}`);
  return romeToInstant(d.year, d.month, d.day, 0, 0);
}

const pad = (n: number) => String(n).padStart(2, '0');
/** "HH:MM" of an instant in Rome. */
export function romeTime(date: Date): string {
  const p = romeParts(date);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

// ---------------------------------------------------------------------------------------------
// The agenda

export interface AgendaEntry {
  id: number;
  reference: string;
  /** "YYYY-MM-DD" in Rome. */
  day: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  firstName: string | null;
  phone: string | null;
  email: string | null;
  topic: string | null;
  note: string | null;
  source: 'public' | 'api' | 'staff';
}

/**
 * The bookings of one desk from one day to another (inclusive, Rome days), every status, in time
 * order. Bookings whose personal data has been erased (30 days after the appointment) are left out.
 */
export async function listAgenda(db: Db, deskId: number, fromDay: string, toDay: string): Promise<AgendaEntry[]> {
  const rows = await db
    .selectFrom('booking')
    .select([
      'id',
      'reference',
      'starts_at',
      'ends_at',
      'status',
      'first_name',
      'phone',
      'email',
      'topic',
      'note',
      'source',
    ])
    .where('desk_id', '=', deskId)
    .where('starts_at', '>=', startOfDay(fromDay))
    .where('starts_at', '<', startOfDay(addDays(toDay, 1)))
    .where('erased_at', 'is', null)
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  return rows.map(toEntry);
}

/** One booking of this desk (for the cancel confirmation), or undefined if it is not this desk's. */
export async function getAgendaEntry(db: Db, deskId: number, bookingId: number): Promise<AgendaEntry | undefined> {
  if (!Number.isSafeInteger(bookingId) || bookingId <= 0) return undefined;
  const row = await db
    .selectFrom('booking')
    .select([
      'id',
      'reference',
      'starts_at',
      'ends_at',
      'status',
      'first_name',
      'phone',
      'email',
      'topic',
      'note',
      'source',
    ])
    .where('id', '=', bookingId)
    .where('desk_id', '=', deskId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return row && toEntry(row);
}

type AgendaRow = {
  id: number;
  reference: string;
  starts_at: Date;
  ends_at: Date;
  status: BookingStatus;
  first_name: string | null;
  phone: string | null;
  email: string | null;
  topic: string | null;
  note: string | null;
  source: 'public' | 'api' | 'staff';
};
function toEntry(r: AgendaRow): AgendaEntry {
  return {
    id: r.id,
    reference: r.reference,
    day: romeDateString(r.starts_at),
    start: r.starts_at,
    end: r.ends_at,
    status: r.status,
    firstName: r.first_name,
    phone: r.phone,
    email: r.email,
    topic: r.topic,
    note: r.note,
    source: r.source,
  };
}

export type BookingActionResult =
  | { ok: true; reference: string; start: Date }
  | { ok: false; reason: 'not_found' | 'not_confirmed' | 'not_started' | 'started' };

async function bookingOfDesk(db: Db, bookingId: number, deskId: number) {
  if (!Number.isSafeInteger(bookingId) || bookingId <= 0) return undefined;
  return db
    .selectFrom('booking')
    .select(['id', 'reference', 'status', 'starts_at'])
    .where('id', '=', bookingId)
    .where('desk_id', '=', deskId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Marks a booking as attended or not: only a confirmed booking of this desk, and only once its
 * appointment has started (nobody can have come, or not come, to one that has not). One UPDATE
 * whose WHERE holds every rule, so two operators pressing at once mark it once. The place stays
 * taken either way: the slot's counter does not change.
 */
export async function markAttendance(
  db: Db,
  bookingId: number,
  deskId: number,
  status: 'attended' | 'no_show',
  now: Date = new Date(),
): Promise<BookingActionResult> {
  if (status !== 'attended' && status !== 'no_show')
    throw new RangeError(`not an attendance status: ${String(status)}`);
  if (Number.isSafeInteger(bookingId) && bookingId > 0) {
    const marked = await db
      .updateTable('booking')
      .set({ status })
      .where('id', '=', bookingId)
      .where('desk_id', '=', deskId)
      .where('status', '=', 'confirmed')
      .where('starts_at', '<=', now)
      .where('erased_at', 'is', null)
      .returning(['reference', 'starts_at'])
      .executeTakeFirst();
    if (marked) return { ok: true, reference: marked.reference, start: marked.starts_at };
  }
  const row = await bookingOfDesk(db, bookingId, deskId);
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.status !== 'confirmed') return { ok: false, reason: 'not_confirmed' };
  return { ok: false, reason: 'not_started' };
}

/**
 * Cancels a confirmed booking of this desk whose appointment has not started yet (after that it is
 * attended or not, not cancelled), frees its place at once and tells the family if they left an
 * email (cancelBooking). Recorded in the audit log (the reference only, no personal data).
 */
export async function cancelDeskBooking(
  db: Db,
  bookingId: number,
  deskId: number,
  options: { actorUserId: number; now?: Date },
): Promise<BookingActionResult> {
  const now = options.now ?? new Date();
  const row = await bookingOfDesk(db, bookingId, deskId);
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.status !== 'confirmed') return { ok: false, reason: 'not_confirmed' };
  if (row.starts_at.getTime() <= now.getTime()) return { ok: false, reason: 'started' };
  // cancelBooking's own WHERE status = 'confirmed' settles a race with another cancel or a mark.
  if (!(await cancelBooking(db, row.id, now))) return { ok: false, reason: 'not_confirmed' };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'booking.cancelled_by_staff',
    subject: `booking:${row.id}`,
    detail: { desk: deskId, reference: row.reference },
  });
  return { ok: true, reference: row.reference, start: row.starts_at };
}

// ---------------------------------------------------------------------------------------------
// Booking for a family on the phone

/** The phone booking form as typed (kept to show the form again with its errors). */
export interface PhoneBookingValues {
  slot: string;
  firstName: string;
  phone: string;
  email: string;
  topic: string;
  note: string;
  locale: string;
}
export const PHONE_BOOKING_FIELDS = [
  'slot',
  'firstName',
  'phone',
  'email',
  'topic',
  'note',
  'locale',
] as const satisfies (keyof PhoneBookingValues)[];
export type PhoneBookingErrors = Partial<Record<keyof PhoneBookingValues, string>>;

export interface PhoneBooking {
  start: Date;
  firstName: string;
  phone: string | null;
  email: string | null;
  topic: string | null;
  note: string | null;
  locale: Locale;
}

// Control characters (C0, DEL, C1) never belong in a name or a note; line breaks do in a note.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export function readPhoneBookingForm(form: FormData): PhoneBookingValues {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.slice(0, 1000) : '';
  };
  return {
    slot: text('slot'),
    firstName: text('firstName'),
    phone: text('phone'),
    email: text('email'),
    topic: text('topic'),
    note: text('note'),
    locale: text('locale'),
  };
}

/**
 * The public flow's rules (same limits, same messages), except that a phone number or an email is
 * optional: the family is on the phone, and the database allows a staff booking without contact.
 * There is no privacy checkbox: the operator gives the notice on the phone.
 */
export function checkPhoneBooking(
  values: PhoneBookingValues,
  desk: Pick<Desk, 'services'>,
): { ok: true; value: PhoneBooking } | { ok: false; errors: PhoneBookingErrors } {
  const errors: PhoneBookingErrors = {};
  const start = parseSlotValue(values.slot.trim());
  if (!values.slot.trim()) errors.slot = 'booking.error.slotRequired';
  else if (!start) errors.slot = 'booking.error.startInvalid';
  const firstName = values.firstName.trim().replace(/\s+/g, ' ');
  if (!firstName) errors.firstName = 'booking.error.nameRequired';
  else if (firstName.length > NAME_MAX) errors.firstName = 'booking.error.nameTooLong';
  else if (CONTROL.test(firstName)) errors.firstName = 'booking.error.nameInvalid';
  const phone = values.phone.trim() ? normalizePhone(values.phone) : null;
  if (phone === undefined) errors.phone = 'booking.error.phoneInvalid';
  const email = values.email.trim() ? normalizeEmail(values.email) : null;
  if (email === undefined) errors.email = 'booking.error.emailInvalid';
  const topic = values.topic.trim() || null;
  const topicError = checkTopic(topic, desk.services);
  if (topicError) errors.topic = topicError;
  const note = values.note.trim();
  if (note.length > NOTE_MAX) errors.note = 'booking.error.noteTooLong';
  else if (CONTROL.test(note.replace(/\r?\n/g, ' '))) errors.note = 'booking.error.noteInvalid';
  const locale = values.locale || 'it';
  if (!isLocale(locale)) errors.locale = 'booking.error.localeInvalid';
  if (Object.keys(errors).length > 0 || !start || phone === undefined || email === undefined || !isLocale(locale))
    return { ok: false, errors };
  return { ok: true, value: { start, firstName, phone, email, topic, note: note || null, locale } };
}

/**
 * Books a checked phone booking through the public rules (createBooking: the slot must be offered,
 * inside the booking window, with a free place), marked `source: 'staff'`. The submission key of
 * the form makes a double click book once.
 */
export function bookForFamily(
  db: Db,
  desk: Desk,
  booking: PhoneBooking,
  submissionKey: string | null,
  now: Date = new Date(),
): Promise<BookingOutcome> {
  return createBooking(db, { desk, ...booking, submissionKey, source: 'staff' }, now);
}

// ---------------------------------------------------------------------------------------------
// The CSV export

/**
 * The agenda as CSV with only what a desk needs to call families back: date, time, reference,
 * first name, phone, topic, status. No note and no email (the export leaves the system; the less
 * it carries the better). Every export is recorded in the audit log with the desk and the range,
 * never the rows.
 */
export async function exportAgendaCsv(
  db: Db,
  desk: { id: number; slug: string },
  fromDay: string,
  toDay: string,
  options: { actorUserId: number; t: Translate },
): Promise<{ csv: string; rows: number }> {
  const { t } = options;
  const entries = await listAgenda(db, desk.id, fromDay, toDay);
  const header = [
    t('staff.agenda.csv.date'),
    t('staff.agenda.csv.time'),
    t('staff.agenda.csv.reference'),
    t('staff.agenda.csv.firstName'),
    t('staff.agenda.csv.phone'),
    t('staff.agenda.csv.topic'),
    t('staff.agenda.csv.status'),
  ];
  const rows = entries.map((e) => [
    e.day,
    romeTime(e.start),
    e.reference,
    e.firstName,
    e.phone,
    e.topic ? t(serviceKey(e.topic)) : '',
    statusLabel(e.status, t),
  ]);
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'export.agenda',
    subject: `desk:${desk.id}`,
    detail: { desk: desk.slug, from: fromDay, to: toDay, rows: rows.length },
  });
  return { csv: toCsv(header, rows), rows: rows.length };
}

export function statusLabel(status: BookingStatus, t: Translate): string {
  switch (status) {
    case 'confirmed':
      return t('staff.agenda.status.confirmed');
    case 'cancelled':
      return t('staff.agenda.status.cancelled');
    case 'attended':
      return t('staff.agenda.status.attended');
    case 'no_show':
      return t('staff.agenda.status.no_show');
  }
}

// ---------------------------------------------------------------------------------------------
// Settings: slot length, capacity, booking window

export interface DeskSettings {
  slotMinutes: number;
  capacityPerSlot: number;
  minNoticeMinutes: number;
  maxDaysAhead: number;
}
export type DeskSettingsField = keyof DeskSettings;
export const DESK_SETTINGS_FIELDS = [
  'slotMinutes',
  'capacityPerSlot',
  'minNoticeMinutes',
  'maxDaysAhead',
] as const satisfies DeskSettingsField[];

/** Limits (the database's CHECKs, and a 14-day cap on the notice); slots in steps of 5 minutes. */
export const DESK_SETTINGS_LIMITS: Record<DeskSettingsField, { min: number; max: number; step: number }> = {
  slotMinutes: { min: 5, max: 240, step: 5 },
  capacityPerSlot: { min: 1, max: 50, step: 1 },
  minNoticeMinutes: { min: 0, max: 20160, step: 1 },
  maxDaysAhead: { min: 1, max: 366, step: 1 },
};

const SETTINGS_ERRORS: Record<DeskSettingsField, string> = {
  slotMinutes: 'staff.desk.error.slotMinutes',
  capacityPerSlot: 'staff.desk.error.capacityPerSlot',
  minNoticeMinutes: 'staff.desk.error.minNoticeMinutes',
  maxDaysAhead: 'staff.desk.error.maxDaysAhead',
};

export function checkDeskSettings(
  raw: Record<DeskSettingsField, string>,
): { ok: true; value: DeskSettings } | { ok: false; errors: Partial<Record<DeskSettingsField, string>> } {
  const errors: Partial<Record<DeskSettingsField, string>> = {};
  const value = {} as DeskSettings;
  for (const field of DESK_SETTINGS_FIELDS) {
    const text = (raw[field] ?? '').trim();
    const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
    const { min, max, step } = DESK_SETTINGS_LIMITS[field];
    if (!Number.isInteger(n) || n < min || n > max || n % step !== 0) errors[field] = SETTINGS_ERRORS[field];
    else value[field] = n;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

export type SettingsResult =
  { ok: true; slotsKeptAboveCapacity: number; futureBookings: number } | { ok: false; reason: 'not_found' };

/**
 * Changes slot length, capacity and booking window.
 *
 * Capacity. Each booked slot has its own counter row (booking_slot) with the capacity it was
 * created with; new rows take the desk's capacity. A change applies at once to every slot that has
 * not started, not only to slots nobody has booked yet: raising it opens places in slots already
 * full, which is what an operator who adds a colleague expects. Lowering it never cancels anyone:
 * a slot already holding more bookings than the new capacity keeps them, and its capacity becomes
 * its booked count (GREATEST(new, booked)), so it takes no further booking — the change is refused
 * for that slot only, and the page says how many slots that was, to move people by hand if needed.
 * (If one of those bookings is later cancelled, the place it frees can be booked again: such a slot
 * never holds more than it did when the capacity changed.) The UPDATE takes each counter's row lock,
 * so it serializes with concurrent bookings of the same slot; the CHECK booked ≤ capacity stays true.
 *
 * Slot length and window. New lengths apply to slot generation at once; existing appointments keep
 * their times (they are rows with their own start and end) and stay in the agenda. The result
 * counts the confirmed future bookings so the page can say so.
 */
export async function updateDeskSettings(
  db: Db,
  deskId: number,
  settings: DeskSettings,
  options: { actorUserId: number; now?: Date },
): Promise<SettingsResult> {
  const checked = checkDeskSettings(
    Object.fromEntries(DESK_SETTINGS_FIELDS.map((f) => [f, String(settings[f])])) as Record<DeskSettingsField, string>,
  );
  if (!checked.ok) throw new RangeError(`invalid desk settings: ${JSON.stringify(checked.errors)}`);
  const now = options.now ?? new Date();
  return runInTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('desk')
      .select(['slot_minutes', 'capacity_per_slot', 'min_notice_minutes', 'max_days_ahead'])
      .where('id', '=', deskId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return { ok: false, reason: 'not_found' } as const;
    await trx
      .updateTable('desk')
      .set({
        slot_minutes: settings.slotMinutes,
        capacity_per_slot: settings.capacityPerSlot,
        min_notice_minutes: settings.minNoticeMinutes,
        max_days_ahead: settings.maxDaysAhead,
      })
      .where('id', '=', deskId)
      .execute();
    let kept = 0;
    if (before.capacity_per_slot !== settings.capacityPerSlot) {
      const capacity = settings.capacityPerSlot;
      const over = await trx
        .updateTable('booking_slot')
        .set({ capacity: sql<number>`greatest(${capacity}::smallint, booked)` })
        .where('desk_id', '=', deskId)
        .where('starts_at', '>=', now)
        .returning(['booked'])
        .execute();
      kept = over.filter((r) => r.booked > capacity).length;
    }
    const future = await trx
      .selectFrom('booking')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('desk_id', '=', deskId)
      .where('status', '=', 'confirmed')
      .where('starts_at', '>=', now)
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.settings_changed',
      subject: `desk:${deskId}`,
      detail: {
        before: {
          slotMinutes: before.slot_minutes,
          capacityPerSlot: before.capacity_per_slot,
          minNoticeMinutes: before.min_notice_minutes,
          maxDaysAhead: before.max_days_ahead,
        },
        after: settings,
        slotsKeptAboveCapacity: kept,
      },
    });
    return { ok: true, slotsKeptAboveCapacity: kept, futureBookings: Number(future.n) };
  });
}

// ---------------------------------------------------------------------------------------------
// Weekly hours

export interface HoursRow {
  weekday: number; // ISO 1 = Monday … 7 = Sunday
  opens: string; // "HH:MM"
  closes: string;
}

/** One interval as the form sends it; `key` names its fields (`opens-<key>`, `closes-<key>`). */
export interface HoursInput {
  key: string;
  weekday: number;
  opens: string;
  closes: string;
}

/** "9:30", "09:30" or "09:30:00" → "09:30"; undefined if it is not a time of day. */
export function normalizeTime(value: string): string | undefined {
  const m = /^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::00)?$/.exec(value.trim());
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : undefined;
}

const overlaps = (a: { opens: string; closes: string }, b: { opens: string; closes: string }) =>
  a.opens < b.closes && b.opens < a.closes;

/**
 * The weekly hours as typed: an interval with both times empty is left out (that is how a row is
 * removed); otherwise both times are needed, opening before closing, and the intervals of one day
 * must not overlap (one may end when the next starts). Errors by field name.
 */
export function checkWeeklyHours(
  input: readonly HoursInput[],
): { ok: true; value: HoursRow[] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rows: (HoursRow & { key: string })[] = [];
  for (const row of input) {
    const opensText = row.opens.trim();
    const closesText = row.closes.trim();
    if (!opensText && !closesText) continue;
    if (!Number.isInteger(row.weekday) || row.weekday < 1 || row.weekday > 7) {
      errors[`opens-${row.key}`] = 'staff.desk.error.weekdayInvalid';
      continue;
    }
    const opens = opensText ? normalizeTime(opensText) : undefined;
    const closes = closesText ? normalizeTime(closesText) : undefined;
    if (!opensText) errors[`opens-${row.key}`] = 'staff.desk.error.opensMissing';
    else if (!opens) errors[`opens-${row.key}`] = 'staff.desk.error.timeInvalid';
    if (!closesText) errors[`closes-${row.key}`] = 'staff.desk.error.closesMissing';
    else if (!closes) errors[`closes-${row.key}`] = 'staff.desk.error.timeInvalid';
    if (!opens || !closes) continue;
    if (opens >= closes) {
      errors[`closes-${row.key}`] = 'staff.desk.error.closesBeforeOpens';
      continue;
    }
    const clash = rows.find((r) => r.weekday === row.weekday && overlaps(r, { opens, closes }));
    if (clash) {
      errors[`opens-${row.key}`] = 'staff.desk.error.overlap';
      continue;
    }
    rows.push({ key: row.key, weekday: row.weekday, opens, closes });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: rows
      .map(({ weekday, opens, closes }) => ({ weekday, opens, closes }))
      .sort((a, b) => a.weekday - b.weekday || a.opens.localeCompare(b.opens)),
  };
}

/**
 * Replaces the desk's weekly hours in one transaction (checked again here). Appointments already
 * booked outside the new hours are kept and stay in the agenda.
 */
export async function replaceWeeklyHours(
  db: Db,
  deskId: number,
  hours: readonly HoursRow[],
  options: { actorUserId: number },
): Promise<{ ok: true } | { ok: false; reason: 'not_found' }> {
  const checked = checkWeeklyHours(hours.map((h, i) => ({ key: String(i), ...h })));
  if (!checked.ok) throw new RangeError(`invalid weekly hours: ${JSON.stringify(checked.errors)}`);
  return runInTransaction(db, async (trx) => {
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).forUpdate().executeTakeFirst();
    if (!desk) return { ok: false, reason: 'not_found' } as const;
    await trx.deleteFrom('desk_opening_hours').where('desk_id', '=', deskId).execute();
    if (checked.value.length > 0)
      await trx
        .insertInto('desk_opening_hours')
        .values(checked.value.map((h) => ({ desk_id: deskId, ...h })))
        .execute();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.hours_replaced',
      subject: `desk:${deskId}`,
      detail: { hours: checked.value },
    });
    return { ok: true } as const;
  });
}

// ---------------------------------------------------------------------------------------------
// Closures and extra openings

export interface Closure {
  id: number;
  day: string;
  reason: string | null;
}
export interface ExtraOpening {
  id: number;
  day: string;
  opens: string;
  closes: string;
}

/** Closures and extra openings from `fromDay` on (the settings page shows today's and later ones). */
export async function listDeskExceptions(
  db: Db,
  deskId: number,
  fromDay: string,
): Promise<{ closures: Closure[]; extraOpenings: ExtraOpening[] }> {
  const [closures, extra] = await Promise.all([
    db
      .selectFrom('desk_closure')
      .select(['id', 'day', 'reason'])
      .where('desk_id', '=', deskId)
      .where('day', '>=', fromDay)
      .orderBy('day')
      .execute(),
    db
      .selectFrom('desk_extra_opening')
      .select(['id', 'day', 'opens', 'closes'])
      .where('desk_id', '=', deskId)
      .where('day', '>=', fromDay)
      .orderBy('day')
      .orderBy('opens')
      .execute(),
  ]);
  return {
    closures,
    extraOpenings: extra.map((e) => ({
      id: e.id,
      day: e.day,
      opens: e.opens.slice(0, 5),
      closes: e.closes.slice(0, 5),
    })),
  };
}

/** Confirmed bookings of the desk on one day (to say that a closure keeps them). */
async function confirmedOnDay(db: Db, deskId: number, day: string): Promise<number> {
  const row = await db
    .selectFrom('booking')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('desk_id', '=', deskId)
    .where('status', '=', 'confirmed')
    .where('starts_at', '>=', startOfDay(day))
    .where('starts_at', '<', startOfDay(addDays(day, 1)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How far ahead closures and extra openings may be set: two years. */
const EXCEPTION_HORIZON_DAYS = 731;

function checkFutureDay(value: string, now: Date): { day?: string; error?: string } {
  const day = value.trim();
  if (!day) return { error: 'staff.desk.error.dayMissing' };
  if (!parseDateOnly(day)) return { error: 'staff.desk.error.dayInvalid' };
  const today = romeDateString(now);
  if (day < today) return { error: 'staff.desk.error.dayPast' };
  if (day > addDays(today, EXCEPTION_HORIZON_DAYS)) return { error: 'staff.desk.error.dayTooFar' };
  return { day };
}

export const CLOSURE_REASON_MAX = 200;

export type ExceptionResult =
  | { ok: true; bookingsOnDay: number }
  | { ok: false; errors: Record<string, string> }
  | { ok: false; reason: 'not_found' };

/**
 * Closes the desk on a day (today or later). Bookings already made for that day are kept (the page
 * tells how many, so the operator can call the families and cancel them in the agenda). Errors by
 * form field: `closureDay`, `closureReason`.
 */
export async function addClosure(
  db: Db,
  deskId: number,
  input: { day: string; reason: string },
  options: { actorUserId: number; now?: Date },
): Promise<ExceptionResult> {
  const now = options.now ?? new Date();
  const errors: Record<string, string> = {};
  const { day, error } = checkFutureDay(input.day, now);
  if (error) errors.closureDay = error;
  const reason = input.reason.trim().replace(/\s+/g, ' ');
  if (reason.length > CLOSURE_REASON_MAX) errors.closureReason = 'staff.desk.error.reasonTooLong';
  else if (CONTROL.test(reason)) errors.closureReason = 'staff.desk.error.reasonInvalid';
  if (!day || Object.keys(errors).length > 0) return { ok: false, errors };
  const inserted = await runInTransaction(db, async (trx) => {
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).executeTakeFirst();
    if (!desk) return 'not_found' as const;
    const row = await trx
      .insertInto('desk_closure')
      .values({ desk_id: deskId, day, reason: reason || null })
      .onConflict((oc) => oc.columns(['desk_id', 'day']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return 'exists' as const;
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.closure_added',
      subject: `desk:${deskId}`,
      detail: { day },
    });
    return 'ok' as const;
  });
  if (inserted === 'not_found') return { ok: false, reason: 'not_found' };
  if (inserted === 'exists') return { ok: false, errors: { closureDay: 'staff.desk.error.closureExists' } };
  return { ok: true, bookingsOnDay: await confirmedOnDay(db, deskId, day) };
}

export async function removeClosure(
  db: Db,
  deskId: number,
  closureId: number,
  options: { actorUserId: number },
): Promise<{ ok: true; day: string } | { ok: false; reason: 'not_found' }> {
  if (!Number.isSafeInteger(closureId) || closureId <= 0) return { ok: false, reason: 'not_found' };
  const removed = await db
    .deleteFrom('desk_closure')
    .where('id', '=', closureId)
    .where('desk_id', '=', deskId)
    .returning('day')
    .executeTakeFirst();
  if (!removed) return { ok: false, reason: 'not_found' };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'desk.closure_removed',
    subject: `desk:${deskId}`,
    detail: { day: removed.day },
  });
  return { ok: true, day: removed.day };
}

/**
 * Opens the desk on a day at extra hours (today or later; public holidays and closures too: that is
 * what an extra opening is for). Errors by form field: `extraDay`, `extraOpens`, `extraCloses`. The
 * hours must not overlap another extra opening of that day, nor the weekly hours of an ordinary
 * open day.
 */
export async function addExtraOpening(
  db: Db,
  deskId: number,
  input: { day: string; opens: string; closes: string },
  options: { actorUserId: number; now?: Date },
): Promise<ExceptionResult> {
  const now = options.now ?? new Date();
  const errors: Record<string, string> = {};
  const { day, error } = checkFutureDay(input.day, now);
  if (error) errors.extraDay = error;
  const opens = input.opens.trim() ? normalizeTime(input.opens) : undefined;
  const closes = input.closes.trim() ? normalizeTime(input.closes) : undefined;
  if (!input.opens.trim()) errors.extraOpens = 'staff.desk.error.opensMissing';
  else if (!opens) errors.extraOpens = 'staff.desk.error.timeInvalid';
  if (!input.closes.trim()) errors.extraCloses = 'staff.desk.error.closesMissing';
  else if (!closes) errors.extraCloses = 'staff.desk.error.timeInvalid';
  else if (opens && opens >= closes) errors.extraCloses = 'staff.desk.error.closesBeforeOpens';
  if (!day || !opens || !closes || Object.keys(errors).length > 0) return { ok: false, errors };
  const interval = { opens, closes };
  const outcome = await runInTransaction(db, async (trx) => {
    // The desk row's lock serializes two extra openings added at once, so the overlap check holds.
    const desk = await trx.selectFrom('desk').select('id').where('id', '=', deskId).forUpdate().executeTakeFirst();
    if (!desk) return 'not_found' as const;
    const [sameDay, closed, weekly] = await Promise.all([
      trx
        .selectFrom('desk_extra_opening')
        .select(['opens', 'closes'])
        .where('desk_id', '=', deskId)
        .where('day', '=', day)
        .execute(),
      trx
        .selectFrom('desk_closure')
        .select('id')
        .where('desk_id', '=', deskId)
        .where('day', '=', day)
        .executeTakeFirst(),
      trx
        .selectFrom('desk_opening_hours')
        .select(['weekday', 'opens', 'closes'])
        .where('desk_id', '=', deskId)
        .execute(),
    ]);
    if (sameDay.some((e) => overlaps({ opens: e.opens.slice(0, 5), closes: e.closes.slice(0, 5) }, interval)))
      return 'overlapsExtra' as const;
    const d = parseDateOnly(day)!;
    const weekday = ((new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7) + 1;
    const ordinaryDay = !closed && !isHoliday(day);
    if (
      ordinaryDay &&
      weekly.some(
        (h) =>
          h.weekday === weekday && overlaps({ opens: h.opens.slice(0, 5), closes: h.closes.slice(0, 5) }, interval),
      )
    )
      return 'overlapsHours' as const;
    await trx.insertInto('desk_extra_opening').values({ desk_id: deskId, day, opens, closes }).execute();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.extra_opening_added',
      subject: `desk:${deskId}`,
      detail: { day, opens, closes },
    });
    return 'ok' as const;
  });
  if (outcome === 'not_found') return { ok: false, reason: 'not_found' };
  if (outcome === 'overlapsExtra') return { ok: false, errors: { extraOpens: 'staff.desk.error.extraOverlap' } };
  if (outcome === 'overlapsHours') return { ok: false, errors: { extraOpens: 'staff.desk.error.extraOverlapsHours' } };
  return { ok: true, bookingsOnDay: await confirmedOnDay(db, deskId, day) };
}

/** Removes an extra opening; bookings already made in it are kept (the result counts those of that day). */
export async function removeExtraOpening(
  db: Db,
  deskId: number,
  openingId: number,
  options: { actorUserId: number },
): Promise<{ ok: true; day: string; bookingsOnDay: number } | { ok: false; reason: 'not_found' }> {
  if (!Number.isSafeInteger(openingId) || openingId <= 0) return { ok: false, reason: 'not_found' };
  const removed = await db
    .deleteFrom('desk_extra_opening')
    .where('id', '=', openingId)
    .where('desk_id', '=', deskId)
    .returning(['day', 'opens', 'closes'])
    .executeTakeFirst();
  if (!removed) return { ok: false, reason: 'not_found' };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'desk.extra_opening_removed',
    subject: `desk:${deskId}`,
    detail: { day: removed.day, opens: removed.opens.slice(0, 5), closes: removed.closes.slice(0, 5) },
  });
  return { ok: true, day: removed.day, bookingsOnDay: await confirmedOnDay(db, deskId, removed.day) };
}

/** Every message key this module can return (the locale files must have them all; tested). */
export const AGENDA_MESSAGE_KEYS: string[] = [
  ...Object.values(SETTINGS_ERRORS),
  ...[
    'weekdayInvalid',
    'opensMissing',
    'closesMissing',
    'timeInvalid',
    'closesBeforeOpens',
    'overlap',
    'dayMissing',
    'dayInvalid',
    'dayPast',
    'dayTooFar',
    'reasonTooLong',
    'reasonInvalid',
    'closureExists',
    'extraOverlap',
    'extraOverlapsHours',
  ].map((k) => `staff.desk.error.${k}`),
  ...[
    'slotRequired',
    'startInvalid',
    'nameRequired',
    'nameTooLong',
    'nameInvalid',
    'phoneInvalid',
    'emailInvalid',
    'topicInvalid',
    'noteTooLong',
    'noteInvalid',
    'localeInvalid',
  ].map((k) => `booking.error.${k}`),
];
