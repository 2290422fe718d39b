// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13, "One waiting-list engine": a family that does not fit waits in one table, whether for an
// event's seats (event_id, its party by age band) or for a desk's place in a range of days (desk_id,
// from_day … to_day, one place). An entry is 'waiting' in order of id; when seats free up, the
// entries that fit are 'offered' in that order, each holding its seats (the event's seats_taken is
// raised by the same conditional statement a sign-up uses; a desk's place raises booking_slot.booked
// while under its capacity, as a booking does: so no seat or place is given twice). An offer is
// accepted (→ a confirmed registration or booking), declined, or lapses at offer_expires_at; the
// family may also leave. Only the hash of the status link's token is stored; personal data goes
// when the entry closes.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE wait_entry (
      id serial PRIMARY KEY,
      reference text NOT NULL UNIQUE CHECK (length(reference) <= 20),
      event_id integer REFERENCES event (id) ON DELETE CASCADE,
      desk_id integer REFERENCES desk (id) ON DELETE CASCADE,
      from_day date,
      to_day date,
      adults smallint NOT NULL DEFAULT 1 CHECK (adults BETWEEN 0 AND 10),
      children_0_3 smallint NOT NULL DEFAULT 0 CHECK (children_0_3 BETWEEN 0 AND 10),
      children_3_6 smallint NOT NULL DEFAULT 0 CHECK (children_3_6 BETWEEN 0 AND 10),
      children_6_11 smallint NOT NULL DEFAULT 0 CHECK (children_6_11 BETWEEN 0 AND 10),
      children_11_14 smallint NOT NULL DEFAULT 0 CHECK (children_11_14 BETWEEN 0 AND 10),
      seats smallint NOT NULL CHECK (seats BETWEEN 1 AND 10),
      name text CHECK (length(name) <= 80),
      phone text CHECK (length(phone) <= 20),
      email text CHECK (length(email) <= 254),
      locale text NOT NULL CHECK (locale IN ('it', 'en', 'es', 'ar', 'zh')),
      status text NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'offered', 'accepted', 'declined', 'lapsed', 'left', 'closed')),
      offered_at timestamptz,
      offer_expires_at timestamptz,
      offered_slot_id integer REFERENCES booking_slot (id) ON DELETE SET NULL,
      registration_id integer REFERENCES event_registration (id) ON DELETE SET NULL,
      booking_id integer REFERENCES booking (id) ON DELETE SET NULL,
      token_hash text UNIQUE CHECK (length(token_hash) <= 100),
      client text CHECK (client IS NULL OR length(client) <= 80),
      submission_key text UNIQUE CHECK (length(submission_key) <= 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      CONSTRAINT wait_entry_one_list CHECK (num_nonnulls(event_id, desk_id) = 1),
      CONSTRAINT wait_entry_desk_days CHECK (
        desk_id IS NULL OR (from_day IS NOT NULL AND to_day IS NOT NULL AND from_day <= to_day AND seats = 1)),
      CONSTRAINT wait_entry_party CHECK (
        seats = adults + children_0_3 + children_3_6 + children_6_11 + children_11_14),
      CONSTRAINT wait_entry_offer_has_expiry CHECK (status <> 'offered' OR offer_expires_at IS NOT NULL),
      CONSTRAINT wait_entry_desk_offer_has_slot CHECK (
        status <> 'offered' OR desk_id IS NULL OR offered_slot_id IS NOT NULL)
    );
    -- The queue of each list, in order; offers to lapse; one active entry per contact and list.
    CREATE INDEX wait_entry_event_queue_idx ON wait_entry (event_id, id) WHERE status IN ('waiting', 'offered');
    CREATE INDEX wait_entry_desk_queue_idx ON wait_entry (desk_id, id) WHERE status IN ('waiting', 'offered');
    CREATE INDEX wait_entry_offer_expiry_idx ON wait_entry (offer_expires_at) WHERE status = 'offered';
    CREATE INDEX wait_entry_client_idx ON wait_entry (client) WHERE status IN ('waiting', 'offered');
    CREATE INDEX wait_entry_phone_idx ON wait_entry (phone) WHERE phone IS NOT NULL AND status IN ('waiting', 'offered');
    CREATE INDEX wait_entry_email_idx ON wait_entry (email) WHERE email IS NOT NULL AND status IN ('waiting', 'offered');
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP TABLE wait_entry;`);
}
