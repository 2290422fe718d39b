// Frozen: never edit a migration that has shipped; add a new one.
// Issues #12 and #13: a message belongs to at most one owner (a booking, a pledge, a volunteer or an
// event sign-up), so three of these four indexes held a NULL entry for every row version of the
// others' messages, and an SMS row is written three times (queued, claimed, sent; none of these
// updates is HOT, as `status` is in outbox_due_idx's predicate): about 20 index entries per verified
// write that nothing ever reads. Partial, they keep only the rows that have the owner. Every reader
// compares the column with a value (`booking_id = …`, and the ON DELETE CASCADE of each foreign key:
// `$1 = booking_id`), which implies IS NOT NULL, so PostgreSQL still uses them
// (docs/performance.md, benchcpu). outbox_wait_entry_idx was made partial from the start (0750).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

const OWNERS = [
  ['outbox_booking_idx', 'booking_id'],
  ['outbox_pledge_idx', 'pledge_id'],
  ['outbox_volunteer_idx', 'volunteer_id'],
  ['outbox_registration_idx', 'registration_id'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    OWNERS.map(
      ([index, column]) =>
        `DROP INDEX ${index};\nCREATE INDEX ${index} ON outbox (${column}) WHERE ${column} IS NOT NULL;`,
    ).join('\n'),
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    OWNERS.map(([index, column]) => `DROP INDEX ${index};\nCREATE INDEX ${index} ON outbox (${column});`).join('\n'),
  );
}
