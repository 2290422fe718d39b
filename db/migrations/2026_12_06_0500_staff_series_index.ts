// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13: the staff list of events shows each recurring activity once, at its shown date, found
// by two probes per series (a thousand series: a thousand probes on every page). A series can only
// be on a page if one of its dates falls between the page's cursor and its last one-off event;
// this index reads those dates, newest first, so only their series are probed (none, on a first
// page whose one-off plans reach past every series' dates). The twin of event_staff_oneoff_idx (0700).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `CREATE INDEX event_staff_series_idx ON event (starts_at DESC, id DESC) WHERE series_id IS NOT NULL;`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP INDEX event_staff_series_idx;`);
}
