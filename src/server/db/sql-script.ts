import { sql, type Kysely } from 'kysely';

/**
 * Runs a migration script statement by statement. PGlite's extended query protocol takes one
 * statement per call, so a script is split at semicolons that end a line; keep each statement's
 * final semicolon at a line end and none inside a line.
 */
export async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter((s) => s.replace(/--.*$/gm, '').trim().length > 0);
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
