// Frozen: never edit a migration that has shipped; add a new one.
// Issue #15, "Close this day": a desk may close for part of a day (a strike in the morning, a
// flooded room until noon). The closure row says which part, so the public page can say "closed
// from 9:00 to 12:00" instead of "closed"; the slots of the hours left are extra openings of that
// day (src/features/agenda/close-day.ts). Both times or neither: neither is the whole day.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `ALTER TABLE desk_closure
       ADD COLUMN closed_from time,
       ADD COLUMN closed_until time,
       ADD CONSTRAINT desk_closure_part_of_day CHECK (
         (closed_from IS NULL AND closed_until IS NULL)
         OR (closed_from IS NOT NULL AND closed_until IS NOT NULL AND closed_from < closed_until)
       );`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `ALTER TABLE desk_closure DROP CONSTRAINT desk_closure_part_of_day;
     ALTER TABLE desk_closure DROP COLUMN closed_until;
     ALTER TABLE desk_closure DROP COLUMN closed_from;`,
  );
}
