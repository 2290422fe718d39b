// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13, first part: an event may have seats (NULL: "just come"), and families sign up for
// them as a party (adults and children by age band, never names of children or birth dates). A
// registration is a pending hold until the 6-digit code sent to its contact confirms it, like a
// booking (#12): its seats count as taken from the start, and a lapsed hold gives them back.
// event.seats_taken is the counter the writing statement raises only while the party still fits,
// so concurrent sign-ups serialize on the event's row and never give a seat twice. The codes reuse
// verification_code, whose subject may now be an event registration too (after 0510's volunteers).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE event ADD COLUMN seats integer CHECK (seats IS NULL OR seats BETWEEN 1 AND 100000);
    ALTER TABLE event ADD COLUMN seats_taken integer NOT NULL DEFAULT 0 CHECK (seats_taken >= 0);
    ALTER TABLE event ADD COLUMN walk_ins integer NOT NULL DEFAULT 0 CHECK (walk_ins BETWEEN 0 AND 100000);

    CREATE TABLE event_registration (
      id serial PRIMARY KEY,
      reference text NOT NULL UNIQUE CHECK (length(reference) <= 20),
      event_id integer NOT NULL REFERENCES event (id) ON DELETE CASCADE,
      adults smallint NOT NULL CHECK (adults BETWEEN 0 AND 10),
      children_0_3 smallint NOT NULL DEFAULT 0 CHECK (children_0_3 BETWEEN 0 AND 10),
      children_3_6 smallint NOT NULL DEFAULT 0 CHECK (children_3_6 BETWEEN 0 AND 10),
      children_6_11 smallint NOT NULL DEFAULT 0 CHECK (children_6_11 BETWEEN 0 AND 10),
      children_11_14 smallint NOT NULL DEFAULT 0 CHECK (children_11_14 BETWEEN 0 AND 10),
      seats smallint NOT NULL CHECK (seats BETWEEN 1 AND 10),
      name text CHECK (length(name) <= 80),
      phone text CHECK (length(phone) <= 20),
      email text CHECK (length(email) <= 254),
      locale text NOT NULL CHECK (length(locale) <= 5),
      status text NOT NULL CHECK (status IN ('pending', 'expired', 'confirmed', 'cancelled')),
      hold_expires_at timestamptz,
      hold_client text CHECK (hold_client IS NULL OR length(hold_client) <= 80),
      submission_key text UNIQUE CHECK (length(submission_key) <= 200),
      cancel_token_hash text UNIQUE CHECK (length(cancel_token_hash) <= 100),
      arrived_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT event_registration_party CHECK (
        seats = adults + children_0_3 + children_3_6 + children_6_11 + children_11_14),
      CONSTRAINT event_registration_pending_has_expiry CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL)
    );
    CREATE INDEX event_registration_event_idx ON event_registration (event_id, status);
    CREATE INDEX event_registration_pending_expiry_idx ON event_registration (hold_expires_at) WHERE status = 'pending';
    CREATE INDEX event_registration_pending_client_idx ON event_registration (hold_client, hold_expires_at) WHERE status = 'pending';
    CREATE INDEX event_registration_phone_idx ON event_registration (phone) WHERE phone IS NOT NULL AND status IN ('pending', 'confirmed');
    CREATE INDEX event_registration_email_idx ON event_registration (email) WHERE email IS NOT NULL AND status IN ('pending', 'confirmed');

    -- 0510 made booking_id nullable and unique; a code now has one subject of three.
    ALTER TABLE verification_code ADD COLUMN registration_id integer REFERENCES event_registration (id) ON DELETE CASCADE;
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id, registration_id) = 1);
    CREATE UNIQUE INDEX verification_code_registration_key ON verification_code (registration_id);

    ALTER TABLE outbox ADD COLUMN registration_id integer REFERENCES event_registration (id) ON DELETE CASCADE;
    CREATE INDEX outbox_registration_idx ON outbox (registration_id);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE outbox DROP COLUMN registration_id;
    DELETE FROM verification_code WHERE registration_id IS NOT NULL;
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code DROP COLUMN registration_id;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id) = 1);
    DROP TABLE event_registration;
    ALTER TABLE event DROP COLUMN walk_ins;
    ALTER TABLE event DROP COLUMN seats_taken;
    ALTER TABLE event DROP COLUMN seats;
  `,
  );
}
