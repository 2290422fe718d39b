// Frozen: never edit a migration that has shipped; add a new one.
// Appointment booking: closures and extra openings, slot counters, bookings, the email outbox
// and the shared rate-limit counters.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE desk_closure (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      desk_id integer NOT NULL REFERENCES desk(id) ON DELETE CASCADE,
      day date NOT NULL,
      reason text CHECK (reason IS NULL OR length(reason) <= 200),
      UNIQUE (desk_id, day)
    );

    CREATE TABLE desk_extra_opening (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      desk_id integer NOT NULL REFERENCES desk(id) ON DELETE CASCADE,
      day date NOT NULL,
      opens time NOT NULL,
      closes time NOT NULL,
      CHECK (opens < closes)
    );
    CREATE INDEX desk_extra_opening_desk_day_idx ON desk_extra_opening (desk_id, day);

    -- One row per slot that has ever been booked: the counter that enforces capacity.
    -- A booking increments it with "booked < capacity" in the same transaction that inserts the
    -- booking; the row lock serializes concurrent bookers and the CHECK is the last line of defence.
    CREATE TABLE booking_slot (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      desk_id integer NOT NULL REFERENCES desk(id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      capacity smallint NOT NULL CHECK (capacity >= 1),
      booked smallint NOT NULL DEFAULT 0,
      UNIQUE (desk_id, starts_at),
      CHECK (ends_at > starts_at),
      CONSTRAINT booking_slot_within_capacity CHECK (booked BETWEEN 0 AND capacity)
    );

    CREATE TABLE booking (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      reference text NOT NULL UNIQUE CHECK (reference ~ '^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$'),
      desk_id integer NOT NULL REFERENCES desk(id),
      slot_id integer NOT NULL REFERENCES booking_slot(id),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled', 'attended', 'no_show')),
      topic text CHECK (topic IS NULL OR length(topic) <= 60),
      note text CHECK (note IS NULL OR length(note) <= 200),
      first_name text CHECK (first_name IS NULL OR length(first_name) BETWEEN 1 AND 80),
      email text CHECK (email IS NULL OR length(email) <= 254),
      phone text CHECK (phone IS NULL OR phone ~ '^\\+?[0-9]{6,15}$'),
      locale text NOT NULL CHECK (locale IN ('it', 'en', 'ar', 'es', 'zh')),
      manage_token_hash text UNIQUE,
      submission_key text UNIQUE CHECK (submission_key IS NULL OR length(submission_key) <= 64),
      source text NOT NULL DEFAULT 'public' CHECK (source IN ('public', 'api', 'staff')),
      created_at timestamptz NOT NULL DEFAULT now(),
      cancelled_at timestamptz,
      erased_at timestamptz,
      CHECK (erased_at IS NOT NULL OR source = 'staff' OR email IS NOT NULL OR phone IS NOT NULL)
    );
    CREATE INDEX booking_desk_start_idx ON booking (desk_id, starts_at);
    CREATE INDEX booking_slot_idx ON booking (slot_id);
    CREATE INDEX booking_to_erase_idx ON booking (ends_at) WHERE erased_at IS NULL;

    -- Messages to send, written in the transaction of the booking (or pledge) they belong to.
    CREATE TABLE outbox (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (length(kind) <= 60),
      recipient text NOT NULL,
      locale text NOT NULL CHECK (locale IN ('it', 'en', 'ar', 'es', 'zh')),
      payload jsonb NOT NULL DEFAULT '{}',
      booking_id integer REFERENCES booking(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
      send_after timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX outbox_due_idx ON outbox (send_after) WHERE status IN ('pending', 'sending');
    CREATE INDEX outbox_booking_idx ON outbox (booking_id);

    -- Fixed-window counters shared by every server process.
    CREATE TABLE rate_limit (
      key text PRIMARY KEY CHECK (length(key) <= 200),
      window_started_at timestamptz NOT NULL,
      hits integer NOT NULL
    );

    -- Server-wide values such as the secret that signs form timestamps, shared by every instance.
    CREATE TABLE app_setting (
      key text PRIMARY KEY,
      value text NOT NULL
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE app_setting, rate_limit, outbox, booking, booking_slot, desk_extra_opening, desk_closure;
  `,
  );
}
