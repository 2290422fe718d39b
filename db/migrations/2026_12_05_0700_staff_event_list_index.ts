// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13: the staff list of events (listEventsForActor) reads the newest one-off events of any
// status, and each recurring activity once (two probes per series on event_series_occurrence_key).
// Without this index its one-off half read the whole event table, every date of every series
// included (350 ms at 1,000 weekly series, docs/performance.md); with it, an index walk from the
// newest start down to the page's 500 rows.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `CREATE INDEX event_staff_oneoff_idx ON event (starts_at DESC, id DESC) WHERE series_id IS NULL;`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP INDEX event_staff_oneoff_idx;`);
}
