// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12, part 1: SMS beside email in the outbox, delivery receipts, the day's SMS segments
// (SMS_DAILY_LIMIT) and the per-recipient daily cap across every kind of message.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    -- An SMS row is addressed to a phone in E.164; its text is rendered at send time like an email,
    -- and the encoding and segment count it went out with are kept (cost, SMS_DAILY_LIMIT).
    ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
    ALTER TABLE outbox ADD CONSTRAINT outbox_sms_recipient_check
      CHECK (channel <> 'sms' OR recipient ~ '^\\+[1-9][0-9]{6,14}$');
    ALTER TABLE outbox ADD COLUMN encoding text CHECK (encoding IN ('gsm7', 'ucs2'));
    ALTER TABLE outbox ADD COLUMN segments smallint CHECK (segments > 0);
    -- The id the SMS centre gave the message (submit_sm_resp), which its delivery receipt names.
    ALTER TABLE outbox ADD COLUMN provider_message_id text CHECK (length(provider_message_id) <= 65);
    ALTER TABLE outbox ADD COLUMN delivered_at timestamptz;
    -- delivered / undelivered: what the receipt said; dropped: over the recipient's daily cap, never sent.
    ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN
      ('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled', 'dropped'));
    CREATE INDEX outbox_provider_message_idx ON outbox (provider_message_id) WHERE provider_message_id IS NOT NULL;

    -- Messages queued per recipient (SHA-256 of the normalised address or phone) and Rome day: the
    -- counter row's lock serialises concurrent writers, so the cap holds under a race.
    CREATE TABLE message_recipient_day (
      recipient_hash text NOT NULL,
      day date NOT NULL,
      messages integer NOT NULL CHECK (messages >= 0),
      PRIMARY KEY (recipient_hash, day)
    );

    -- SMS segments submitted per Rome day, reserved before each submit (SMS_DAILY_LIMIT).
    CREATE TABLE sms_day (
      day date PRIMARY KEY,
      segments integer NOT NULL CHECK (segments >= 0)
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE sms_day, message_recipient_day;
    DROP INDEX outbox_provider_message_idx;
    ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled'));
    ALTER TABLE outbox DROP CONSTRAINT outbox_sms_recipient_check;
    ALTER TABLE outbox DROP COLUMN delivered_at, DROP COLUMN provider_message_id, DROP COLUMN segments,
      DROP COLUMN encoding, DROP COLUMN channel;
  `,
  );
}
