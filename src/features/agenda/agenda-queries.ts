// What a desk's agenda reads: the days a view covers, the bookings of those days, one booking for
// the cancel confirmation, and the words for a booking's status.
//
// Authorization is the caller's (the page or the action calls `can(actor, {kind: 'desk.agenda'})`
// on the desk it loaded, then passes that desk's id here). Every statement is scoped to that desk
// id, so an id of another desk's booking (a forged form field) finds nothing, as an unknown id.
import type { BookingStatus, Db } from '#/server/db/database.ts';
import { addDays, weekStart } from '#/features/booking/slots.ts';
import { parseDateOnly, romeDateString, romeParts, romeToInstant } from '#/lib/time.ts';
import type { Translate } from '#/lib/i18n.ts';
import { isLocale, languageName, type Locale } from '#/lib/locales.ts';

export type AgendaView = 'giorno' | 'settimana';

/** The days an agenda view covers: the day itself, or Monday to Sunday of its week. */
export function agendaRange(day: string, view: AgendaView): { from: string; to: string } {
  if (view === 'giorno') return { from: day, to: day };
  const from = weekStart(day);
  return { from, to: addDays(from, 6) };
}

/** Midnight (Rome) at the start of a "YYYY-MM-DD" day. */
export function startOfDay(day: string): Date {
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
  /** How it was booked: on the site, through the JSON API, or by staff for a family on the phone. */
  source: BookingSource;
  /** The family's language (their messages' language; the form says the desk will know it). */
  locale: Locale;
}

export type BookingSource = 'public' | 'api' | 'staff';

/** The desk's bookings whose personal data is still there (erased 30 days after the appointment). */
function deskBookings(db: Db, deskId: number) {
  return db
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
      'locale',
    ])
    .where('desk_id', '=', deskId)
    .where('erased_at', 'is', null);
}

type AgendaRow = Awaited<ReturnType<ReturnType<typeof deskBookings>['executeTakeFirstOrThrow']>>;

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
    locale: isLocale(r.locale) ? r.locale : 'it',
  };
}

/**
 * The bookings of one desk from one day to another (inclusive, Rome days), every status, in time
 * order. Bookings whose personal data has been erased (30 days after the appointment) are left out,
 * and so are lapsed holds: their place is free again and their data is being dropped (holds.ts),
 * so the agenda reads the same before and after housekeeping has released them. A hold still
 * waiting for its code is listed (its place is taken), as "Waiting for code".
 */
export async function listAgenda(
  db: Db,
  deskId: number,
  fromDay: string,
  toDay: string,
  now: Date = new Date(),
): Promise<AgendaEntry[]> {
  const rows = await deskBookings(db, deskId)
    .where((eb) => eb.or([eb('status', '!=', 'pending'), eb('hold_expires_at', '>', now)]))
    .where('starts_at', '>=', startOfDay(fromDay))
    .where('starts_at', '<', startOfDay(addDays(toDay, 1)))
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  return rows.map(toEntry);
}

/** One booking of this desk (for the cancel confirmation), or undefined if it is not this desk's. */
export async function getAgendaEntry(db: Db, deskId: number, bookingId: number): Promise<AgendaEntry | undefined> {
  if (!Number.isSafeInteger(bookingId) || bookingId <= 0) return undefined;
  const row = await deskBookings(db, deskId).where('id', '=', bookingId).executeTakeFirst();
  return row && toEntry(row);
}

/** Confirmed bookings of the desk on one day (to say that a closure keeps them). */
export async function confirmedOnDay(db: Db, deskId: number, day: string): Promise<number> {
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
    case 'pending':
      return t('staff.agenda.status.pending');
    case 'expired':
      return t('staff.agenda.status.expired');
  }
}

/** How a booking was made, as the agenda and its CSV say it. */
export function channelLabel(source: BookingSource, t: Translate): string {
  switch (source) {
    case 'public':
      return t('staff.agenda.channel.online');
    case 'api':
      return t('staff.agenda.channel.api');
    case 'staff':
      return t('staff.agenda.channel.phone');
  }
}

/** The family's language in the staff member's: "arabo" in Italian, "Arabic" in English. */
export const familyLanguage = (entry: Pick<AgendaEntry, 'locale'>, staffLocale: Locale): string =>
  languageName(entry.locale, staffLocale);

/** Bookings that stand: confirmed, or marked after the appointment. Holds and cancellations don't count. */
export const standing = (entry: Pick<AgendaEntry, 'status'>): boolean =>
  entry.status === 'confirmed' || entry.status === 'attended' || entry.status === 'no_show';
