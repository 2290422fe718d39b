// Opens the configured database, brings it to the latest migration and (if asked) seeds it when
// empty, then closes it so that the server can open it (PGlite allows one process per folder).
import type { AppConfig } from '../src/lib/server/config.ts';
import { openDatabase, targetFromConfig } from '../src/lib/server/db/connection.ts';
import { migrateToLatest } from '../src/lib/server/db/migrate.ts';
import { isSeeded, seedDatabase } from '../src/lib/server/db/seed.ts';

export async function prepareDatabase(config: AppConfig, options: { seedIfEmpty: boolean; log?: (line: string) => void }): Promise<void> {
  const log = options.log ?? (() => {});
  const db = await openDatabase(targetFromConfig(config));
  try {
    const result = await migrateToLatest(db);
    for (const r of result.results ?? []) log(`migration ${r.migrationName}: ${r.status}`);
    if (options.seedIfEmpty && !(await isSeeded(db))) {
      await seedDatabase(db);
      log('seeded the database with the QuBì sample data');
    }
  } finally {
    await db.destroy();
  }
}
