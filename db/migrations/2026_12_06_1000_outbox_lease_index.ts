// Frozen: never edit a migration that has shipped; add a new one.
// The worker's claim (worker.ts claimDueMessages) reads messages left "sending" by a worker whose
// lease expired as a part of its own; this index holds only the messages being sent (a handful), so
// that part reads a few entries instead of walking all the pending messages (outbox_due_idx).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `CREATE INDEX outbox_lease_idx ON outbox (locked_until) WHERE status = 'sending';`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, 'DROP INDEX outbox_lease_idx;');
}
