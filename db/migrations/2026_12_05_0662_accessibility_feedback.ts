// Issue #14, the accessibility statement per the AgID model: its feedback mechanism. A report of
// something on the site that is not accessible, received by staff, with the 30 days the Comune has
// to answer (reply_due_at, set by the database). The reply address is optional and wiped when the
// report is marked answered: least data.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE accessibility_feedback (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      page text CHECK (page IS NULL OR length(page) <= 300),
      message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
      reply_to text CHECK (reply_to IS NULL OR length(reply_to) BETWEEN 3 AND 254),
      locale text NOT NULL CHECK (locale ~ '^[a-z]{2}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      reply_due_at timestamptz NOT NULL DEFAULT now() + interval '30 days',
      answered_at timestamptz,
      CHECK (answered_at IS NULL OR reply_to IS NULL)
    );
    CREATE INDEX accessibility_feedback_open_idx ON accessibility_feedback (reply_due_at) WHERE answered_at IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP TABLE accessibility_feedback;`);
}
