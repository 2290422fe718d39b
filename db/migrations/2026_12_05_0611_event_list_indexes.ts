// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13: the public list reads one-off events and recurring activities apart
// (src/features/events/events.ts, listUpcomingEvents). Its walk of the one-off events in start
// order, and its lower bound (the earliest start not over), would otherwise step over every date
// of every series (a thousand weekly series are 50,000 rows a year); these partial indexes hold the
// one-off events only. Each series' next date is found through event_series_next_idx (0610).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE INDEX event_oneoff_start_idx ON event (starts_at, id)
      WHERE status IN ('published', 'cancelled') AND series_id IS NULL;
    CREATE INDEX event_oneoff_until_idx ON event ((coalesce(ends_at, starts_at)), starts_at)
      WHERE status IN ('published', 'cancelled') AND series_id IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP INDEX event_oneoff_until_idx;
    DROP INDEX event_oneoff_start_idx;
  `,
  );
}
