// The embedded database's planner statistics. PGlite is PostgreSQL in one process without its
// background workers: nothing runs autovacuum's ANALYZE, so a table's statistics stay what they were
// when it was created (none). The planner then guesses selectivities from defaults and, once a
// table holds thousands of rows, picks plans that scan all of it: a burst of 19 delivery receipts
// against 5,000 sent messages ran as a nested loop over a sequential scan of the outbox (137 ms);
// with statistics, through outbox_provider_message_idx (0.8 ms). See docs/architecture.md,
// "Decisions". PostgreSQL's own autovacuum does this job there, so this runs on PGlite only.
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';

/**
 * How often the sizes are looked at: one catalogue query, ~3 ms once the catalogue is in memory (the
 * first one of a process ~0.2 s, hence none at start: a server that lives less than this pays nothing).
 */
export const STATISTICS_CHECK_MS = 10_000;

/**
 * Analyzes the tables that grew by more than a tenth (and 8 pages, 64 kB) since their statistics
 * were taken, or that hold data and never had any; returns their names. Autovacuum's own rule is
 * on counts of changed rows, which PGlite does not keep up to date (its statistics collector is
 * flushed only when the backend idles); pages on disk are always current.
 */
export async function analyzeGrownTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT quote_ident(c.relname) AS name
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace
       AND c.relkind = 'r'
       AND pg_relation_size(c.oid, 'main') / current_setting('block_size')::int
           > CASE WHEN c.reltuples < 0 THEN 0 ELSE c.relpages END * 1.1 + 8
     ORDER BY 1`.execute(db);
  const names = rows.map((row) => row.name);
  // The names come from the catalogue, quoted by quote_ident.
  if (names.length > 0) await sql`ANALYZE ${sql.raw(names.join(', '))}`.execute(db);
  return names;
}

/**
 * Checks every `intervalMs` and analyzes what grew. A failed check is logged without its details
 * (no data in it, but no SQL either) and tried again at the next round. stop() waits for a check
 * under way, so the database is not closed beneath it; nextCheck() answers what the next one analyzed.
 */
export function keepStatisticsFresh(
  db: Kysely<Database>,
  options: { intervalMs?: number; log?: (line: string) => void } = {},
): { stop(): Promise<void>; nextCheck(): Promise<string[]> } {
  const log = options.log ?? console.log;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let waiting: ((names: string[]) => void)[] = [];
  const check = () => {
    running = running.then(async () => {
      if (stopped) return;
      let names: string[] = [];
      try {
        names = await analyzeGrownTables(db);
        if (names.length > 0) log(`[statistics] analyzed ${names.join(', ')}`);
      } catch (error) {
        log(`[statistics] check failed (${(error as { code?: string }).code ?? 'error'}); trying again later`);
      }
      const resolve = waiting;
      waiting = [];
      for (const done of resolve) done(names);
    });
  };
  const timer = setInterval(check, options.intervalMs ?? STATISTICS_CHECK_MS);
  timer.unref();
  return {
    nextCheck: () => new Promise((resolve) => waiting.push(resolve)),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      for (const done of waiting) done([]);
    },
  };
}
