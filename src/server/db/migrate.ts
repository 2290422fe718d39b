import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { sql, type Kysely } from 'kysely';
import { migrations } from '../../../db/migrations/index.ts';

/**
 * Brings the schema up to date. Kysely's migrator takes a lock, so concurrent starts are safe.
 * Its bookkeeping tables live in the connection's current schema: naming it explicitly keeps the
 * migrator from mistaking another schema's tables (say, a parallel test's) for its own.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: rows[0]?.schema ?? 'public',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}
