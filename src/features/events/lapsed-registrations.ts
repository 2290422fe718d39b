// Sign-ups whose code was not entered in time give their seats back (issue #13, as booking holds
// do in #12): counted as free at read time (event-seats.ts), and released for good — seats given
// back, personal data, code and messages dropped — by the next sign-up for the same event or by the
// worker's housekeeping. One statement: its first step flips the holds from 'pending', so a hold's
// seats are given back only once, whoever releases it.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { lapsedCtes, pastTime } from '#/features/holds/lapse.ts';
import { REGISTRATION_HOLD } from './registration-holds.ts';

/**
 * The common table expressions that release the lapsed holds (of one event, or of all): `lapsed`
 * (id, event_id, seats of each hold flipped to 'expired', its personal data dropped), then its code
 * and messages deleted. The statement that uses them gives the seats back to the events' counters.
 */
export function lapsedHoldsCtes(now: Date, eventId?: number): RawBuilder<unknown> {
  return lapsedCtes(REGISTRATION_HOLD, lapsedOf(now, eventId), now, ['id', 'event_id', 'seats']);
}

/** The holds whose time is over, of one event or of all. */
function lapsedOf(now: Date, eventId?: number): RawBuilder<unknown> {
  const ofEvent = eventId === undefined ? sql`TRUE` : sql`event_id = ${eventId}::int`;
  return sql`${pastTime(now)} AND ${ofEvent}`;
}

/**
 * Releases the pending sign-ups `which` chooses (lapsed ones, or every hold of a date that was
 * cancelled: date-notices.ts), their seats given back to their events, in one statement; how many.
 */
export async function releaseRegistrationHolds(db: Db, which: RawBuilder<unknown>, now: Date): Promise<number> {
  const { rows } = await sql<{ released: number }>`
    WITH ${lapsedCtes(REGISTRATION_HOLD, which, now, ['id', 'event_id', 'seats'])},
    freed AS (
      UPDATE event SET seats_taken = event.seats_taken - l.n
        FROM (SELECT event_id, sum(seats)::int AS n FROM lapsed GROUP BY event_id) AS l
       WHERE event.id = l.event_id
      RETURNING event.id
    )
    SELECT count(*)::int AS released FROM lapsed`.execute(db);
  return rows[0]?.released ?? 0;
}

export function releaseLapsedRegistrations(db: Db, now: Date, eventId?: number): Promise<number> {
  return releaseRegistrationHolds(db, lapsedOf(now, eventId), now);
}
