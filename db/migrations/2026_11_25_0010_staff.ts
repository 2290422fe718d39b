// Frozen: never edit a migration that has shipped; add a new one.
// Staff and partner accounts (Lucia's session design on our own tables), roles and their scope,
// one-time tokens (invitations, password resets), TOTP recovery codes, the audit log, and the
// event review workflow.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE app_user (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL UNIQUE CHECK (length(email) <= 254 AND email = lower(email)),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
      role text NOT NULL CHECK (role IN ('admin', 'coordinator', 'desk_operator', 'partner_editor')),
      organisation_id integer REFERENCES organisation(id),
      password_hash text,
      totp_secret text,
      totp_enabled_at timestamptz,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      password_changed_at timestamptz,
      CHECK (role <> 'partner_editor' OR organisation_id IS NOT NULL)
    );

    CREATE TABLE user_municipio (
      user_id integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      municipio_id smallint NOT NULL REFERENCES municipio(id),
      PRIMARY KEY (user_id, municipio_id)
    );

    CREATE TABLE user_desk (
      user_id integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      desk_id integer NOT NULL REFERENCES desk(id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, desk_id)
    );

    -- A session token is "<id>.<secret>"; only the secret's SHA-256 is stored.
    CREATE TABLE user_session (
      id text PRIMARY KEY CHECK (length(id) <= 64),
      secret_hash text NOT NULL,
      user_id integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz NOT NULL,
      two_factor_verified boolean NOT NULL DEFAULT false
    );
    CREATE INDEX user_session_user_idx ON user_session (user_id);

    CREATE TABLE user_token (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE recovery_code (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz
    );
    CREATE INDEX recovery_code_user_idx ON recovery_code (user_id);

    CREATE TABLE audit_log (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_user_id integer REFERENCES app_user(id) ON DELETE SET NULL,
      action text NOT NULL CHECK (length(action) <= 80),
      subject text CHECK (subject IS NULL OR length(subject) <= 200),
      detail jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_at_idx ON audit_log (at);

    ALTER TABLE event ADD COLUMN owner_organisation_id integer REFERENCES organisation(id);
    ALTER TABLE event ADD COLUMN review_note text CHECK (review_note IS NULL OR length(review_note) <= 1000);
    ALTER TABLE event ADD COLUMN submitted_at timestamptz;
    CREATE INDEX event_owner_idx ON event (owner_organisation_id);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE event DROP COLUMN submitted_at;
    ALTER TABLE event DROP COLUMN review_note;
    ALTER TABLE event DROP COLUMN owner_organisation_id;
    DROP TABLE audit_log, recovery_code, user_token, user_session, user_desk, user_municipio, app_user;
  `,
  );
}
