// Brings the database to the latest migration and, if asked, seeds it when empty.
import type { Kysely } from 'kysely';
import type { AppConfig } from '#/server/config.ts';
import type { Database } from '#/server/db/database.ts';
import { openDatabase, targetFromConfig } from '#/server/db/connection.ts';
import { migrateToLatest } from '#/server/db/migrate.ts';
import { isSeeded, seedDatabase } from '#/server/db/seed.ts';
import { analyzeGrownTables } from '#/server/db/embedded-statistics.ts';
import { reencryptStoredSecrets } from '#/server/security/secret.ts';

/**
 * seedIfEmpty: true seeds the demo (sample desks, events, campaign); 'base' only the municipi, as a
 * production start does (NODE_ENV=production: no sample content, issue #14).
 */
type Options = { seedIfEmpty: boolean | 'base'; log?: (line: string) => void };

/** What an empty database is seeded with under this configuration. */
export const seedFor = (config: Pick<AppConfig, 'seedSamples'>): Options['seedIfEmpty'] =>
  config.seedSamples ? true : 'base';

export async function migrateAndSeed(db: Kysely<Database>, options: Options): Promise<void> {
  const log = options.log ?? (() => {});
  const result = await migrateToLatest(db);
  for (const r of result.results ?? []) log(`migration ${r.migrationName}: ${r.status}`);
  if (options.seedIfEmpty && !(await isSeeded(db))) {
    const samples = options.seedIfEmpty === true;
    await seedDatabase(db, new Date(), { samples });
    // The seeded tables' statistics, taken once now: the embedded database has no autovacuum to
    // take them (embedded-statistics.ts), and every later start copies or reuses them.
    await analyzeGrownTables(db);
    log(
      samples
        ? 'seeded the database with the QuBì sample data'
        : 'seeded the database with the nine municipi only (production: no sample content)',
    );
  }
  // Values stored in clear before encryption at rest, or under APP_SECRET_PREVIOUS after a rotation.
  const reencrypted = await reencryptStoredSecrets(db);
  if (reencrypted > 0) log(`re-encrypted ${reencrypted} stored secrets with the current APP_SECRET`);
}

/** Opens the configured database, migrates (and seeds), and closes it: for the db:* scripts. */
export async function prepareDatabase(config: AppConfig, options: Options): Promise<void> {
  const db = await openDatabase(targetFromConfig(config));
  try {
    await migrateAndSeed(db, options);
  } finally {
    await db.destroy();
  }
}
