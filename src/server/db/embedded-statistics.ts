// The embedded database's planner statistics. PGlite is PostgreSQL in one process without its
// background workers: nothing runs autovacuum's ANALYZE, so a table's statistics stay what they were
// when it was created (none). The planner then guesses selectivities from defaults and, once a
// table holds thousands of rows, picks plans that scan all of it: a burst of 19 delivery receipts
// against 5,000 sent messages ran as a nested loop over a sequential scan of the outbox (137 ms);
// with statistics, through outbox_provider_message_idx (0.8 ms). See docs/architecture.md,
// "Decisions". PostgreSQL's own autovacuum does this job there, so this runs on PGlite only.
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';

/** How often the sizes are looked at: one catalogue query, a few milliseconds. */
export const STATISTICS_CHECK_MS = 10_000;

/**
 * Analyzes the tables that grew by more than a tenth (and 8 pages, 64 kB) since their statistics
 * were taken, or that hold data and never had any; returns their names. Autovacuum's own rule is
 * on counts of changed rows, which PGlite does not keep up to date (its statistics collector is
 * flushed only when the backend idles); pages on disk are always current.
 */
export async function analyzeGrownTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.oid::regclass::text AS name
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace
       AND c.relkind = 'r'
       AND pg_relation_size(c.oid) / current_setting('block_size')::int
           > CASE WHEN c.reltuples < 0 THEN 0 ELSE c.relpages END * 1.1 + 8
     ORDER BY 1`.execute(db);
  const names = rows.map((row) => row.name);
  // The names come from the catalogue, quoted by regclass's output.
  if (names.length > 0) await sql`ANALYZE ${sql.raw(names.join(', '))}`.execute(db);
  return names;
}

/**
 * Checks every `intervalMs` (and once now) and analyzes what grew. A failed check is logged
 * without its details (no data in it, but no SQL either) and tried again at the next round.
 * stop() waits for a check under way, so the database is not closed beneath it.
 */
export function keepStatisticsFresh(
  db: Kysely<Database>,
  options: { intervalMs?: number; log?: (line: string) => void } = {},
): { stop(): Promise<void>; checked(): Promise<string[]> } {
  const log = options.log ?? console.log;
  let running: Promise<string[]> = Promise.resolve([]);
  let stopped = false;
  const check = () => {
    running = running.then(async () => {
      if (stopped) return [];
      try {
        const names = await analyzeGrownTables(db);
        if (names.length > 0) log(`[statistics] analyzed ${names.join(', ')}`);
        return names;
      } catch (error) {
        log(`[statistics] check failed (${(error as { code?: string }).code ?? 'error'}); trying again later`);
        return [];
      }
    });
  };
  check();
  const timer = setInterval(check, options.intervalMs ?? STATISTICS_CHECK_MS);
  timer.unref();
  return {
    checked: () => running,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
