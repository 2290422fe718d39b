// Frozen: never edit a migration that has shipped; add a new one.
// Indexes found by `npm run bench:scale` (docs/performance.md, "Scale"): with a million past
// bookings and ten thousand events, two reads walked rows they then threw away.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    -- The staff agenda reads a desk's bookings in a range that still hold their data. Without this
    -- index the planner ANDed (desk, start) with the erasure index, reading every unerased booking
    -- of the city (tens of thousands) for a week of one desk.
    CREATE INDEX booking_agenda_idx ON booking (desk_id, starts_at) WHERE erased_at IS NULL;

    -- Events not over by a moment: "coalesce(ends_at, starts_at) >= from" (an event without an end
    -- is over when it starts). The index on starts_at alone made the list skip every past event;
    -- this one finds the coming ones and their earliest start (see listUpcomingEvents).
    CREATE INDEX event_public_until_idx ON event ((coalesce(ends_at, starts_at)), starts_at) WHERE status IN ('published', 'cancelled');
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP INDEX event_public_until_idx;
    DROP INDEX booking_agenda_idx;
  `,
  );
}
