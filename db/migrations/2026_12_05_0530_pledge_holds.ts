// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12, "Verified contacts", for pledges: a new pledge is a pending hold, its quantities
// already counted in campaign_item.pledged, until the 6-digit code sent to its contact confirms it
// within PLEDGE_HOLD_MINUTES. A hold not confirmed by hold_expires_at lapses: read as given back at
// once (campaigns.ts), released for good (status 'lapsed', quantities given back, personal data
// dropped) by the next pledge or the worker's housekeeping. hold_client is the HMAC of the client
// address, so one connection holds only a few unconfirmed pledges at once. The one-open-pledge-per-
// contact-and-window indexes count pending pledges too. verification_code's subject may now be
// a pledge too (after 0510's volunteers and 0520's event sign-ups).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE pledge DROP CONSTRAINT pledge_status_check;
    ALTER TABLE pledge ADD CONSTRAINT pledge_status_check
      CHECK (status IN ('pending', 'lapsed', 'pledged', 'received', 'not_brought', 'cancelled', 'expired'));
    ALTER TABLE pledge ADD COLUMN hold_expires_at timestamptz;
    ALTER TABLE pledge ADD COLUMN hold_client text CHECK (hold_client IS NULL OR length(hold_client) <= 80);
    ALTER TABLE pledge ADD CONSTRAINT pledge_pending_has_expiry
      CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL);
    -- Lapsed holds of the site (read time, housekeeping), of one client (the per-client cap).
    CREATE INDEX pledge_pending_expiry_idx ON pledge (hold_expires_at) WHERE status = 'pending';
    CREATE INDEX pledge_pending_client_idx ON pledge (hold_client, hold_expires_at) WHERE status = 'pending';

    DROP INDEX pledge_open_phone_per_window;
    DROP INDEX pledge_open_email_per_window;
    CREATE UNIQUE INDEX pledge_open_phone_per_window ON pledge (collection_window_id, phone)
      WHERE status IN ('pending', 'pledged') AND phone IS NOT NULL AND NOT before_contact_limit;
    CREATE UNIQUE INDEX pledge_open_email_per_window ON pledge (collection_window_id, (regexp_replace(email, '^([^+@]+)\\+[^@]*@', '\\1@')))
      WHERE status IN ('pending', 'pledged') AND email IS NOT NULL AND NOT before_contact_limit;

    ALTER TABLE verification_code ADD COLUMN pledge_id integer REFERENCES pledge (id) ON DELETE CASCADE;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_pledge_key UNIQUE (pledge_id);
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id, registration_id, pledge_id) = 1);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DELETE FROM verification_code WHERE pledge_id IS NOT NULL;
    ALTER TABLE verification_code DROP CONSTRAINT verification_code_one_subject;
    ALTER TABLE verification_code DROP COLUMN pledge_id;
    ALTER TABLE verification_code ADD CONSTRAINT verification_code_one_subject
      CHECK (num_nonnulls(booking_id, volunteer_id, registration_id) = 1);
    UPDATE campaign_item ci SET pledged = ci.pledged - h.n
      FROM (SELECT pi.campaign_item_id, sum(pi.quantity)::int AS n FROM pledge_item pi JOIN pledge p ON p.id = pi.pledge_id
             WHERE p.status = 'pending' GROUP BY pi.campaign_item_id) h
     WHERE ci.id = h.campaign_item_id;
    DELETE FROM pledge WHERE status IN ('pending', 'lapsed');
    DROP INDEX pledge_open_phone_per_window;
    DROP INDEX pledge_open_email_per_window;
    CREATE UNIQUE INDEX pledge_open_phone_per_window ON pledge (collection_window_id, phone)
      WHERE status = 'pledged' AND phone IS NOT NULL AND NOT before_contact_limit;
    CREATE UNIQUE INDEX pledge_open_email_per_window ON pledge (collection_window_id, (regexp_replace(email, '^([^+@]+)\\+[^@]*@', '\\1@')))
      WHERE status = 'pledged' AND email IS NOT NULL AND NOT before_contact_limit;
    ALTER TABLE pledge DROP CONSTRAINT pledge_pending_has_expiry;
    ALTER TABLE pledge DROP COLUMN hold_client;
    ALTER TABLE pledge DROP COLUMN hold_expires_at;
    ALTER TABLE pledge DROP CONSTRAINT pledge_status_check;
    ALTER TABLE pledge ADD CONSTRAINT pledge_status_check
      CHECK (status IN ('pledged', 'received', 'not_brought', 'cancelled', 'expired'));
  `,
  );
}
