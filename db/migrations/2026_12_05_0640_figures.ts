// Frozen: never edit a migration that has shipped; add a new one.
// Issue #15, "the network's figures": monthly aggregates that the staff dashboard reads, so that it
// never scans bookings and the figures outlive the erasure of personal data. figure_month holds one
// count per month × kind × measure × place (municipio, desk) × service × locale (and, for bookings,
// sums of them at coarser grains, so the common views read few rows); the hourly job
// (src/features/figures/count-figures.ts) rewrites the months still open and freezes the older ones
// (figure_refresh.open_from). A new source (waiting lists, ratings) adds its kind to the CHECK in a
// later migration and its counting query to count-figures.ts. figure_wait_sample keeps, per desk and
// day, how many days ahead the first free slot was: the "median days to the first free slot".
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE figure_month (
      month date NOT NULL CHECK (extract(day FROM month) = 1),
      kind text NOT NULL CONSTRAINT figure_month_kind CHECK (kind IN ('booking', 'event', 'pledge', 'item', 'volunteer')),
      -- 'detail': every dimension; the others are sums of the detail rows kept so that a view reads
      -- few rows: per municipio only, or with one of desk, service or locale.
      grain text NOT NULL DEFAULT 'detail' CHECK (grain IN ('detail', 'municipio', 'desk', 'service', 'locale')),
      measure text NOT NULL CHECK (length(measure) <= 60),
      municipio_id integer REFERENCES municipio (id),
      desk_id integer REFERENCES desk (id) ON DELETE CASCADE,
      service text NOT NULL DEFAULT '' CHECK (length(service) <= 80),
      locale text NOT NULL DEFAULT '' CHECK (length(locale) <= 5),
      value integer NOT NULL CHECK (value >= 0)
    );
    CREATE INDEX figure_month_read_idx ON figure_month (kind, grain, month, municipio_id);

    -- One row: months from open_from on are recounted by the hourly job; older ones are frozen.
    CREATE TABLE figure_refresh (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      open_from date,
      counted_at timestamptz NOT NULL
    );

    CREATE TABLE figure_wait_sample (
      day date NOT NULL,
      desk_id integer NOT NULL REFERENCES desk (id) ON DELETE CASCADE,
      days real CHECK (days IS NULL OR days >= 0),
      PRIMARY KEY (day, desk_id)
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `DROP TABLE figure_wait_sample, figure_refresh, figure_month;`);
}
