// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12, "the same for the volunteer sign-up": a volunteer who gave a mobile phone may confirm
// the sign-up with a 6-digit code sent by SMS, beside the emailed link. The codes' table now holds
// one row per subject: a booking's hold or a volunteer's sign-up, never both, at most one each.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_pkey;
    ALTER TABLE verification_code ALTER COLUMN booking_id DROP NOT NULL;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_booking_key UNIQUE (booking_id);
    ALTER TABLE verification_code ADD COLUMN volunteer_id integer REFERENCES volunteer (id) ON DELETE CASCADE;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_volunteer_key UNIQUE (volunteer_id);
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id) = 1);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DELETE FROM verification_code WHERE booking_id IS NULL;
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code DROP COLUMN volunteer_id;
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_booking_key;
    ALTER TABLE verification_code ALTER COLUMN booking_id SET NOT NULL;
    ALTER TABLE verification_code ADD PRIMARY KEY (booking_id);
  `,
  );
}
