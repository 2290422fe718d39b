// Seats left of events (issue #13), as the public pages and the API show them: the counter the
// sign-ups raise, less the seats of holds that lapsed but were not released yet (free at read
// time, as booking holds are). Null for an event without seats ("just come").
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db } from '#/server/db/database.ts';

export interface Seats {
  total: number;
  left: number;
}

export async function seatsOf(
  db: Db,
  events: readonly { id: number; seats: number | null; seats_taken: number }[],
  now: Date = new Date(),
): Promise<Map<number, Seats | null>> {
  const withSeats = events.filter((e) => e.seats !== null).map((e) => e.id);
  const lapsed =
    withSeats.length === 0
      ? []
      : await db
          .selectFrom('event_registration')
          .select(['event_id', (eb) => eb.fn.sum<string>('seats').as('n')])
          .where('event_id', 'in', withSeats)
          .where('status', '=', 'pending')
          .where('hold_expires_at', '<=', now)
          .groupBy('event_id')
          .execute();
  const freed = new Map(lapsed.map((l) => [l.event_id, Number(l.n)]));
  return new Map(events.map((e) => [e.id, seatsLeft(e, freed.get(e.id) ?? 0)]));
}

/** An event's seats with `freed` seats of lapsed holds counted as free (null: no seats to count). */
export function seatsLeft(e: { seats: number | null; seats_taken: number }, freed: number): Seats | null {
  return e.seats === null ? null : { total: e.seats, left: Math.max(0, e.seats - e.seats_taken + freed) };
}

/** A query's `parties` column: the parties an event row holds seats for (pending or confirmed). */
export function partiesOfEvent(eb: ExpressionBuilder<Database, 'event'>) {
  return eb
    .selectFrom('event_registration')
    .select(sql<number>`count(*)::integer`.as('n'))
    .whereRef('event_registration.event_id', '=', 'event.id')
    .where('event_registration.status', 'in', ['pending', 'confirmed'])
    .as('parties');
}
