// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13, joining a waiting list proves the contact: a join is a 'pending' entry, in join order
// but never offered, until the 6-digit code sent to its contact confirms it (→ 'waiting') within
// hold_expires_at; not confirmed in time it lapses ('lapsed', personal data dropped) at read time
// and by the worker's round. The per-contact and per-client caps count pending entries too.
// verification_code's subject may now be a wait entry, and the code's outbox row names it, so both
// go with the entry.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE wait_entry DROP CONSTRAINT wait_entry_status_check;
    ALTER TABLE wait_entry ADD CONSTRAINT wait_entry_status_check
      CHECK (status IN ('pending', 'waiting', 'offered', 'accepted', 'declined', 'lapsed', 'left', 'closed'));
    ALTER TABLE wait_entry ADD COLUMN hold_expires_at timestamptz;
    ALTER TABLE wait_entry ADD CONSTRAINT wait_entry_pending_has_expiry
      CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL);
    CREATE INDEX wait_entry_pending_expiry_idx ON wait_entry (hold_expires_at) WHERE status = 'pending';
    -- The caps' lookups count pending entries as well (wait-limits.ts).
    DROP INDEX wait_entry_client_idx;
    DROP INDEX wait_entry_phone_idx;
    DROP INDEX wait_entry_email_idx;
    CREATE INDEX wait_entry_client_idx ON wait_entry (client) WHERE status IN ('pending', 'waiting', 'offered');
    CREATE INDEX wait_entry_phone_idx ON wait_entry (phone)
      WHERE phone IS NOT NULL AND status IN ('pending', 'waiting', 'offered');
    CREATE INDEX wait_entry_email_idx ON wait_entry (email)
      WHERE email IS NOT NULL AND status IN ('pending', 'waiting', 'offered');

    ALTER TABLE verification_code ADD COLUMN wait_entry_id integer REFERENCES wait_entry (id) ON DELETE CASCADE;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_wait_entry_key UNIQUE (wait_entry_id);
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id, registration_id, pledge_id, wait_entry_id) = 1);
    ALTER TABLE outbox ADD COLUMN wait_entry_id integer REFERENCES wait_entry (id) ON DELETE CASCADE;
    CREATE INDEX outbox_wait_entry_idx ON outbox (wait_entry_id) WHERE wait_entry_id IS NOT NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE outbox DROP COLUMN wait_entry_id;
    DELETE FROM verification_code WHERE wait_entry_id IS NOT NULL;
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code DROP COLUMN wait_entry_id;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id, registration_id, pledge_id) = 1);
    DELETE FROM wait_entry WHERE status = 'pending';
    DROP INDEX wait_entry_pending_expiry_idx;
    ALTER TABLE wait_entry DROP CONSTRAINT wait_entry_pending_has_expiry;
    ALTER TABLE wait_entry DROP COLUMN hold_expires_at;
    ALTER TABLE wait_entry DROP CONSTRAINT wait_entry_status_check;
    ALTER TABLE wait_entry ADD CONSTRAINT wait_entry_status_check
      CHECK (status IN ('waiting', 'offered', 'accepted', 'declined', 'lapsed', 'left', 'closed'));
  `,
  );
}
