// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13: the staff list of events is paged (50 rows), so what waits for a moderator's review is
// read on its own, on every page (listToReview). Events sent for review are few among a city's tens
// of thousands of dates: without this index that read scanned the whole event table.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `CREATE INDEX event_submitted_idx ON event (starts_at DESC, id DESC) WHERE status = 'submitted';`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP INDEX event_submitted_idx;`);
}
