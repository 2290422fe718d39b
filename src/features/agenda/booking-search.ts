// Finding a booking when a family calls: by reference ("QB-7K4M-2P", typed with or without its
// dashes, in any case), by phone (any way people write it: normalised to E.164 as stored, see
// src/lib/contact.ts) or by first name (a part of it, any case), among the desks the person may
// see (`can(desk.agenda)`, exactly as the agenda pages), and only among bookings whose data is
// still kept, from 30 days ago to the end of the booking window. What was searched is never
// written anywhere: not in the log, not in the address (the form posts; search-actions.ts).
import { sql } from 'kysely';
import type { BookingStatus, Db } from '#/server/db/database.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { normalizePhone, toLatinDigits } from '#/lib/contact.ts';
import { isLocale, type Locale } from '#/lib/locales.ts';
import { romeDateString } from '#/lib/time.ts';
import { addDays } from '#/features/booking/slots.ts';
import { startOfDay } from './agenda-queries.ts';

export const SEARCH_MAX = 100;
/** At most this many results: a longer list means the search should be narrower. */
export const SEARCH_LIMIT = 50;

export interface BookingHit {
  id: number;
  reference: string;
  deskSlug: string;
  deskName: string;
  day: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  firstName: string | null;
  phone: string | null;
  locale: Locale;
}

export type SearchKind = 'reference' | 'phone' | 'name';

/** What the typed text is: a reference, a phone number, or (anything else) a name. */
export function searchKind(typed: string): { kind: SearchKind; value: string } | undefined {
  const text = typed.trim();
  if (text.length < 2 || text.length > SEARCH_MAX) return undefined;
  const compact = toLatinDigits(text).toUpperCase().replace(/[\s-]/g, '');
  const reference = /^QB([A-Z0-9]{4})([A-Z0-9]{2})$/.exec(compact);
  if (reference) return { kind: 'reference', value: `QB-${reference[1]}-${reference[2]}` };
  if (/^[+0-9\s().\-/\u0660-\u0669\u06F0-\u06F9]+$/.test(text)) {
    const phone = normalizePhone(text);
    return phone ? { kind: 'phone', value: phone } : undefined;
  }
  return { kind: 'name', value: text.replace(/\s+/g, ' ') };
}

/** LIKE's own characters taken literally. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The bookings matching `typed` at the desks `actor` may see, in time order; 'invalid' when the
 * text is too short or too long, or looks like a phone number that is not one.
 */
export async function searchBookings(
  db: Db,
  actor: Actor,
  typed: string,
  now: Date = new Date(),
): Promise<BookingHit[] | 'invalid'> {
  const asked = searchKind(typed);
  if (!asked) return 'invalid';
  const desks = (await listDesks(db)).filter((d) =>
    can(actor, { kind: 'desk.agenda', desk: { id: d.id, municipioId: d.municipioId } }),
  );
  if (desks.length === 0) return [];
  const today = romeDateString(now);
  let query = db
    .selectFrom('booking')
    .innerJoin('desk', 'desk.id', 'booking.desk_id')
    .select([
      'booking.id',
      'booking.reference',
      'desk.slug',
      'desk.name',
      'booking.starts_at',
      'booking.ends_at',
      'booking.status',
      'booking.first_name',
      'booking.phone',
      'booking.locale',
    ])
    .where(
      'booking.desk_id',
      'in',
      desks.map((d) => d.id),
    )
    .where('booking.erased_at', 'is', null)
    // Lapsed holds are gone already (holds.ts), as in the agenda.
    .where((eb) => eb.or([eb('booking.status', '!=', 'pending'), eb('booking.hold_expires_at', '>', now)]))
    .where('booking.starts_at', '>=', startOfDay(addDays(today, -30)))
    .where('booking.starts_at', '<', startOfDay(addDays(today, 367)));
  if (asked.kind === 'reference') query = query.where('booking.reference', '=', asked.value);
  else if (asked.kind === 'phone') query = query.where('booking.phone', '=', asked.value);
  else query = query.where(sql<boolean>`booking.first_name ILIKE ${`%${literal(asked.value)}%`}`);
  const rows = await query.orderBy('booking.starts_at').orderBy('booking.id').limit(SEARCH_LIMIT).execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    deskSlug: r.slug,
    deskName: r.name,
    day: romeDateString(r.starts_at),
    start: r.starts_at,
    end: r.ends_at,
    status: r.status,
    firstName: r.first_name,
    phone: r.phone,
    locale: isLocale(r.locale) ? r.locale : 'it',
  }));
}
