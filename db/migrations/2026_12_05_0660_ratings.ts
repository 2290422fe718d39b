// Issue #14, "Valuta questo servizio": the answers of the Designers Italia rating component. No
// personal data: the page (without its locale), the flow it ended, the desk, the score, the
// follow-up answer and an optional comment of at most 200 characters (the model's limit). The
// checks hold the invariants whatever writes the row: a score 1–5, an answer of the score's side
// (positive for 4–5, negative for 1–3), a short comment.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE rating (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      page text NOT NULL CHECK (page ~ '^(/[a-z0-9.-]+)*/?$' AND length(page) <= 200),
      locale text NOT NULL CHECK (locale ~ '^[a-z]{2}$'),
      flow text NOT NULL CHECK (flow IN ('page', 'booking', 'pledge', 'volunteer', 'event')),
      desk_id integer REFERENCES desk (id) ON DELETE SET NULL,
      score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
      answer text CHECK (
        answer IS NULL
        OR (score >= 4 AND answer IN ('clear', 'complete', 'progress', 'noProblems', 'other'))
        OR (score <= 3 AND answer IN ('unclear', 'incomplete', 'lost', 'problems', 'other'))
      ),
      comment text CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rating_page_idx ON rating (page, created_at);
    CREATE INDEX rating_desk_idx ON rating (desk_id, created_at) WHERE desk_id IS NOT NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP TABLE rating;`);
}
