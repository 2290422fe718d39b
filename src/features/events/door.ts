// At the door (issue #13): the partner's or coordinator's list of an event's parties — by
// reference, seat counts by age band and language, never a name or a contact — arrivals marked, walk-ins
// counted; after the event, attended and no-shows as numbers only.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { AGE_BANDS, BAND_COLUMN, type ChildrenByBand } from './party.ts';

export interface DoorParty {
  id: number;
  reference: string;
  adults: number;
  children: ChildrenByBand;
  seats: number;
  locale: string;
  arrived: boolean;
}

export interface DoorList {
  parties: DoorParty[];
  walkIns: number;
  seats: number | null;
  /** Seats of confirmed parties, and of those that arrived. */
  expected: number;
  arrivedSeats: number;
  /** Seats still held by unconfirmed sign-ups (not on the list). */
  pendingSeats: number;
}

export async function doorList(db: Db, eventId: number, now: Date = new Date()): Promise<DoorList> {
  const [rows, event, pending] = await Promise.all([
    db
      .selectFrom('event_registration')
      .select(['id', 'reference', 'adults', 'seats', 'locale', 'arrived_at'])
      .select(['children_0_3', 'children_3_6', 'children_6_11', 'children_11_14'])
      .where('event_id', '=', eventId)
      .where('status', '=', 'confirmed')
      .orderBy('reference')
      .execute(),
    db.selectFrom('event').select(['seats', 'walk_ins']).where('id', '=', eventId).executeTakeFirstOrThrow(),
    db
      .selectFrom('event_registration')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('seats'), sql<number>`0`).as('n'))
      .where('event_id', '=', eventId)
      .where('status', '=', 'pending')
      .where('hold_expires_at', '>', now)
      .executeTakeFirstOrThrow(),
  ]);
  const parties = rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    adults: r.adults,
    children: Object.fromEntries(AGE_BANDS.map((b) => [b, r[BAND_COLUMN[b]]])) as ChildrenByBand,
    seats: r.seats,
    locale: r.locale,
    arrived: r.arrived_at !== null,
  }));
  return {
    parties,
    walkIns: event.walk_ins,
    seats: event.seats,
    expected: parties.reduce((n, p) => n + p.seats, 0),
    arrivedSeats: parties.filter((p) => p.arrived).reduce((n, p) => n + p.seats, 0),
    pendingSeats: Number(pending.n),
  };
}

/** After the event: people who came (parties arrived and walk-ins) and seats of parties that did not. */
export function attendance(list: DoorList) {
  return {
    attended: list.arrivedSeats + list.walkIns,
    noShows: list.expected - list.arrivedSeats,
    noShowParties: list.parties.filter((p) => !p.arrived).length,
  };
}

export async function markArrived(db: Db, eventId: number, registrationId: number, arrived: boolean): Promise<void> {
  await db
    .updateTable('event_registration')
    .set({ arrived_at: arrived ? new Date() : null })
    .where('id', '=', registrationId)
    .where('event_id', '=', eventId)
    .where('status', '=', 'confirmed')
    .execute();
}

/** One more or one less walk-in, never below 0 (the CHECK and the WHERE). */
export async function countWalkIn(db: Db, eventId: number, change: 1 | -1): Promise<void> {
  await db
    .updateTable('event')
    .set((eb) => ({ walk_ins: eb('walk_ins', '+', change) }))
    .where('id', '=', eventId)
    .where(sql<number>`walk_ins + ${change}::int`, '>=', 0)
    .execute();
}
