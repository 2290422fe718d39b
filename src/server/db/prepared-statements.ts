// What both named-statement wrappers (pglite-prepared.ts, pg-prepared.ts) agree on: which statements
// are kept under a name, and which error says a kept one must be parsed afresh.

/** Only plain data statements are named: DDL, SET, BEGIN and the like go through unnamed. */
export const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * The plan of a named statement no longer fits (its table's columns changed under it, as in tests
 * that migrate down and up) or the statement is gone: it is forgotten and parsed afresh.
 */
export function isStalePlan(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '26000' || (code === '0A000' && /cached plan/.test(String((error as Error).message)));
}
