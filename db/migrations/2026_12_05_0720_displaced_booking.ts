// Issue #15, "Close this day": a booking cancelled because its desk closed that day is marked, so its
// link (a fresh one, sent in the closure's message) offers another time at the same desk, or the
// desk's waiting list, once. The mark is cleared when the family chooses either, so the link cannot
// take a second place. A booking cancelled by the family is never displaced.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE booking ADD COLUMN displaced_at timestamptz;
    ALTER TABLE booking ADD CONSTRAINT booking_displaced_cancelled
      CHECK (displaced_at IS NULL OR status = 'cancelled');
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `ALTER TABLE booking DROP COLUMN displaced_at;`);
}
