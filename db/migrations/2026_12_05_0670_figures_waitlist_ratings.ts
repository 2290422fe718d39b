// The network's figures count the waiting lists and the "Valuta questo servizio" ratings too
// (issue #15): two more kinds of figure_month rows (src/features/figures/count-figures.ts).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE figure_month DROP CONSTRAINT figure_month_kind;
    ALTER TABLE figure_month ADD CONSTRAINT figure_month_kind
      CHECK (kind IN ('booking', 'event', 'pledge', 'item', 'volunteer', 'waitlist', 'rating'));
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DELETE FROM figure_month WHERE kind IN ('waitlist', 'rating');
    ALTER TABLE figure_month DROP CONSTRAINT figure_month_kind;
    ALTER TABLE figure_month ADD CONSTRAINT figure_month_kind
      CHECK (kind IN ('booking', 'event', 'pledge', 'item', 'volunteer'));
    `,
  );
}
