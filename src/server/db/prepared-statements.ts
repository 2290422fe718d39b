// What both named-statement wrappers (pglite-prepared.ts, pg-prepared.ts) agree on: which statements
// are kept under a name, and which error says a kept one must be parsed afresh.

/**
 * Only plain data statements are named: DDL, SET, BEGIN and the like go through unnamed, and so
 * does a statement that starts with PLANNED_EACH_TIME.
 */
export const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Put first in a statement that must be planned at each run with its tables as they are then. A
 * named statement keeps, after its first five runs, a generic plan made with the sizes and
 * statistics of that moment: for a table that grows from nothing under load (the outbox of a
 * fresh database) that plan may read the whole table for ever after. Worth it only where one run
 * does enough (the receipts of a burst) that planning it again costs little beside it.
 */
export const PLANNED_EACH_TIME = '/* planned each time */';

/**
 * The plan of a named statement no longer fits (its table's columns changed under it, as in tests
 * that migrate down and up) or the statement is gone: it is forgotten and parsed afresh.
 */
export function isStalePlan(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '26000' || (code === '0A000' && /cached plan/.test(String((error as Error).message)));
}
