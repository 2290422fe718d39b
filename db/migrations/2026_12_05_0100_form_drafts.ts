// Frozen: never edit a migration that has shipped; add a new one.
// Issue #10, §2: a form's draft too big for a cookie (an event's five long descriptions) is kept
// here instead of being shortened. The payload is sealed (AES-256-GCM under the server secret, as
// the cookie would be): the database alone cannot read it. The id is a random 128-bit handle that
// only the browser's sealed cookie names.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    -- Rows live an hour: a read deletes the expired ones, the hourly housekeeping the rest.
    CREATE TABLE form_draft (
      id text PRIMARY KEY,
      payload text NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX form_draft_expires_idx ON form_draft (expires_at);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE form_draft;
  `,
  );
}
