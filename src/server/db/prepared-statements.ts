// What both named-statement wrappers (pglite-prepared.ts, pg-prepared.ts) agree on: which statements
// are kept under a name, and which error says a kept one must be parsed afresh.

/**
 * Only plain data statements are named: DDL, SET, BEGIN and the like go through unnamed, and so does,
 * on PostgreSQL, a statement that starts with PLANNED_EACH_TIME.
 */
export const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Put first in a statement that PostgreSQL must plan at each run with its tables as they are then.
 * A named statement keeps, after its first five runs, a generic plan made with the sizes and
 * statistics of that moment, until its tables are analyzed again: for a table that grows from
 * nothing under load (the outbox of a fresh database) that plan may read the whole table at every
 * run for the minute or more autovacuum takes. Worth it only where one run does enough (the receipts
 * of a burst) that planning it again costs little beside it (~0.3 ms).
 */
export const PLANNED_EACH_TIME = '/* planned each time */';

/**
 * The embedded database names those too: its tables are analyzed as soon as they grow by a tenth
 * (embedded-statistics.ts), which makes PGlite plan their statements again, and an unnamed statement
 * costs PGlite about twice the CPU of a named one (a receipt burst: ~1.3 against ~0.6 ms).
 */
export function nameableEmbedded(text: string): boolean {
  if (NAMEABLE.test(text)) return true;
  const start = text.trimStart();
  return start.startsWith(PLANNED_EACH_TIME) && NAMEABLE.test(start.slice(PLANNED_EACH_TIME.length));
}

/**
 * The plan of a named statement no longer fits (its table's columns changed under it, as in tests
 * that migrate down and up) or the statement is gone: it is forgotten and parsed afresh.
 */
export function isStalePlan(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '26000' || (code === '0A000' && /cached plan/.test(String((error as Error).message)));
}
