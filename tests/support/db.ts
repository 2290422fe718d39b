// A fresh, migrated database per test file: in-memory PGlite by default, or a private schema
// on the PostgreSQL named by TEST_DATABASE_URL (npm run test:pg), dropped afterwards.
// PGlite starts from the dump made once per run (tests/support/make-templates.ts) when there is one.
import { randomBytes } from 'node:crypto';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '#/server/db/connection.ts';
import { migrateToLatest } from '#/server/db/migrate.ts';
import type { Database } from '#/server/db/database.ts';

export interface TestDatabase {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** Connection settings another process (the HTTP server under test) can use to reach the same data. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/** Names the folder of this run's database templates (set by tests/support/global-setup.ts). */
export const TEMPLATES_ENV = 'QUBI_TEST_DB_TEMPLATES';
/** Files tests/support/make-templates.ts writes in that folder when it has finished, or failed. */
export const TEMPLATES_READY = 'ready';
export const TEMPLATES_FAILED = 'failed';
const TEMPLATES_WAIT_MS = 180_000;

/**
 * A file or folder of this run's templates once they are made, or undefined outside a vitest run
 * (the bench scripts), where databases are made from scratch as before.
 */
export async function templatePath(
  name: 'empty.tar' | 'migrated.tar' | 'migrated' | 'seeded',
): Promise<string | undefined> {
  const dir = process.env[TEMPLATES_ENV];
  if (!dir) return undefined;
  const deadline = Date.now() + TEMPLATES_WAIT_MS;
  while (!existsSync(path.join(dir, TEMPLATES_READY))) {
    if (existsSync(path.join(dir, TEMPLATES_FAILED))) {
      throw new Error(
        `the test database templates could not be made:\n${readFileSync(path.join(dir, TEMPLATES_FAILED), 'utf8')}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`the test database templates were not ready after ${TEMPLATES_WAIT_MS / 1000} s (${dir})`);
    await setTimeout(100);
  }
  return path.join(dir, name);
}

export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const dump = await templatePath('migrated.tar');
    const db = await openDatabase({
      kind: 'pglite',
      dataDir: 'memory',
      ...(dump ? { loadDataDir: await openAsBlob(dump) } : {}),
    });
    // Nothing to do on the template (already at the latest migration); everything without one.
    await migrateToLatest(db);
    return { db, kind: 'pglite', env: {}, close: () => db.destroy() };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: testDatabaseUrl, poolSize: 1 });
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin);
  const db = await openDatabase({
    kind: 'postgres',
    url: testDatabaseUrl,
    searchPath: schema,
    poolSize: options.poolSize ?? 10,
  });
  await migrateToLatest(db);
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    db,
    kind: 'postgres',
    env: { DATABASE_URL: url.toString() },
    async close() {
      await db.destroy();
      await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(admin);
      await admin.destroy();
    },
  };
}
