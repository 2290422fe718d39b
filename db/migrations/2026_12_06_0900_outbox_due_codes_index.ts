// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12: a family waits for its verification code, so the worker claims due codes before the
// other due messages (worker.ts claimDueMessages). Under a backlog (a day closed, a burst of
// confirmations) the due codes are a few rows among thousands: this index finds them without
// walking the whole due queue.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `CREATE INDEX outbox_due_code_idx ON outbox (send_after, id)
       WHERE status IN ('pending', 'sending') AND kind = 'verification_code';`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, 'DROP INDEX outbox_due_code_idx;');
}
