// Frozen: never edit a migration that has shipped; add a new one.
// Issue #10, §6 hardening: a TOTP code is accepted once (the last step used is kept), and a form's
// signed timestamp is accepted once within its window (the stamps spent are kept until they expire).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    -- The TOTP time step (counter) of the last code accepted: a code of that step or an earlier one
    -- is refused, so a code seen over a shoulder or in a proxy log cannot be replayed. Steps of
    -- 30 s since 1970 fit in an integer until the year 4000.
    ALTER TABLE app_user ADD COLUMN totp_last_step integer;

    -- Form timestamps spent (HMAC of the stamp, never the stamp itself) with the HMAC of the
    -- contact that spent each, kept until the stamp could no longer be accepted anyway; the hourly
    -- housekeeping deletes expired rows.
    CREATE TABLE spent_form_stamp (
      stamp_hash text PRIMARY KEY,
      contact_hash text NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX spent_form_stamp_expires_idx ON spent_form_stamp (expires_at);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE spent_form_stamp;
    ALTER TABLE app_user DROP COLUMN totp_last_step;
  `,
  );
}
