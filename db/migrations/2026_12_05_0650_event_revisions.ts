// Issue #15, "Partners and coordinators": an edit of a published event no longer takes it off the
// public pages. The change waits here, as the form's values (field name → text, JSON), until a
// moderator approves it (then it is written over the event) or sends it back; the published
// version stays live meanwhile. Storing the form rather than columns lets fields added to the event
// form later ride along with no change here. One pending change per event: a new edit replaces it.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE event_revision (
      event_id integer PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
      form_values jsonb NOT NULL CHECK (jsonb_typeof(form_values) = 'object' AND length(form_values::text) <= 200000),
      -- The municipio the event will be in once approved: the coordinators told and counted.
      municipio_id integer REFERENCES municipio (id),
      submitted_by integer REFERENCES app_user (id) ON DELETE SET NULL,
      submitted_at timestamptz NOT NULL
    );
    CREATE INDEX event_revision_municipio_idx ON event_revision (municipio_id);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP TABLE event_revision;`);
}
