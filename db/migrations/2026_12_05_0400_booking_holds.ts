// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12, "Verified contacts": an online booking first takes its place as a pending hold, which
// the 6-digit code sent to its contact confirms. A hold not confirmed by hold_expires_at is free
// again: read as free at once (slot-availability.ts), released for good by the worker's
// housekeeping or by the next booking of its slot. hold_client is the HMAC of the client address
// (IPv6 by its /64) that took it, so one connection can hold only a few places at once.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE booking DROP CONSTRAINT booking_status_check;
    ALTER TABLE booking ADD CONSTRAINT booking_status_check
      CHECK (status IN ('pending', 'expired', 'confirmed', 'cancelled', 'attended', 'no_show'));
    ALTER TABLE booking ADD COLUMN hold_expires_at timestamptz;
    ALTER TABLE booking ADD COLUMN hold_client text CHECK (hold_client IS NULL OR length(hold_client) <= 80);
    ALTER TABLE booking ADD CONSTRAINT booking_pending_has_expiry
      CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL);
    -- Lapsed holds of a slot (read time), of the whole site (housekeeping), of one client (limits).
    CREATE INDEX booking_pending_slot_idx ON booking (slot_id, hold_expires_at) WHERE status = 'pending';
    CREATE INDEX booking_pending_expiry_idx ON booking (hold_expires_at) WHERE status = 'pending';
    CREATE INDEX booking_pending_client_idx ON booking (hold_client, hold_expires_at) WHERE status = 'pending';
    -- A contact's upcoming bookings (at most 1 per desk and 3 in all).
    CREATE INDEX booking_phone_upcoming_idx ON booking (phone, starts_at) WHERE phone IS NOT NULL AND status IN ('pending', 'confirmed');
    CREATE INDEX booking_email_upcoming_idx ON booking (email, starts_at) WHERE email IS NOT NULL AND status IN ('pending', 'confirmed');

    -- The code of one hold: only its HMAC under the server secret is kept. Deleted when the hold is
    -- confirmed (single use) or released; the channel says where it went (the booking has the contact).
    CREATE TABLE verification_code (
      booking_id integer PRIMARY KEY REFERENCES booking (id) ON DELETE CASCADE,
      channel text NOT NULL CHECK (channel IN ('sms', 'email')),
      code_hash text NOT NULL CHECK (length(code_hash) <= 100),
      attempts smallint NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5),
      sends smallint NOT NULL DEFAULT 1 CHECK (sends BETWEEN 1 AND 4),
      last_sent_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE verification_code;
    DELETE FROM booking WHERE status IN ('pending', 'expired');
    ALTER TABLE booking DROP CONSTRAINT booking_pending_has_expiry;
    ALTER TABLE booking DROP COLUMN hold_client;
    ALTER TABLE booking DROP COLUMN hold_expires_at;
    ALTER TABLE booking DROP CONSTRAINT booking_status_check;
    ALTER TABLE booking ADD CONSTRAINT booking_status_check
      CHECK (status IN ('confirmed', 'cancelled', 'attended', 'no_show'));
  `,
  );
}
