// Frozen: never edit a migration that has shipped; add a new one.
// Issue #15, "Search by reference, name or phone": a family calls and the operator types their
// number. The number is stored in E.164 (src/lib/contact.ts), so the search is an equality on it;
// this index answers it whatever the booking's status, among bookings whose data is still kept.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `CREATE INDEX booking_phone_search_idx ON booking (phone) WHERE erased_at IS NULL AND phone IS NOT NULL;`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP INDEX booking_phone_search_idx;`);
}
