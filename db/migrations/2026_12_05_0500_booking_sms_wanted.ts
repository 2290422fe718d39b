// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12, "Staff": a booking made by phone sends the family SMS only if the operator left "Send
// the family an SMS confirmation" ticked. The choice is kept with the booking, so that a family who
// asked for no messages (a phone shared with someone who must not know) gets none later either: no
// reminder, no "moved", no "cancelled". Every other booking wants them, as before.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `ALTER TABLE booking ADD COLUMN sms_wanted boolean NOT NULL DEFAULT true;`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `ALTER TABLE booking DROP COLUMN sms_wanted;`);
}
