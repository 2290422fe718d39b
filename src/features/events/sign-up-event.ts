// The event a sign-up is for, as the sign-up needs it before its transaction (issue #13), in one
// statement: the public event of the slug, its seats left (lapsed holds counted as free, as
// event-seats.ts counts them) and whether families wait on its list. It takes the place of the
// public event's three reads, the waiting-list look-up and the seat count registerParty would make
// (six statements, a fifth of a sign-up's): on the embedded database every statement costs the
// server's own CPU. Nothing here decides: the transaction's guarded seat counter does.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { isSlug } from '#/lib/paths.ts';
import { seatsLeft, type Seats } from './event-seats.ts';
import { PUBLIC_STATUSES } from './events.ts';

export interface SignUpEvent {
  id: number;
  slug: string;
  /** Null: an event without seats ("just come"). */
  seats: Seats | null;
  /** Someone waits on (or holds an offer of) the event's list: freed seats go to them first. */
  waiting: boolean;
  /** Seats of holds that lapsed but were not released yet (counted as free in `seats`). */
  lapsedSeats: number;
  /** One date of a recurring activity: a refusal for a cancelled date points to the other dates. */
  repeats: boolean;
}

/** The public event of the slug (published or cancelled, as getPublicEventBySlug finds it), or undefined. */
export async function readSignUpEvent(db: Db, slug: string, now: Date = new Date()): Promise<SignUpEvent | undefined> {
  if (!isSlug(slug)) return undefined;
  // The waiting list's states are hasWaitingList's (features/waitlist/event-offers.ts). The statuses
  // are literals, not parameters: with them bound, PostgreSQL planned the statement afresh on almost
  // every call (593 plans for 618 calls, planning ten times its execution time: pg_stat_statements
  // in seqcpu's run, docs/performance.md), as it did the hold limits' counts (hold-limits.ts).
  const { rows } = await sql<{
    id: number;
    slug: string;
    seats: number | null;
    seats_taken: number;
    freed: number;
    waiting: boolean;
    repeats: boolean;
  }>`
    SELECT e.id, e.slug, e.seats, e.seats_taken, e.series_id IS NOT NULL AS repeats,
           (SELECT coalesce(sum(r.seats), 0)::int FROM event_registration r
             WHERE r.event_id = e.id AND r.status = 'pending' AND r.hold_expires_at <= ${now}::timestamptz) AS freed,
           EXISTS (SELECT 1 FROM wait_entry w WHERE w.event_id = e.id AND w.status IN ('waiting', 'offered')) AS waiting
      FROM event e
     WHERE e.slug = ${slug} AND e.status IN (${sql.join(PUBLIC_STATUSES.map((status) => sql.lit(status)))})`.execute(
    db,
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      slug: row.slug,
      seats: seatsLeft(row, row.freed),
      waiting: row.waiting,
      lapsedSeats: row.freed,
      repeats: row.repeats,
    }
  );
}
