// A fresh, migrated database per test file: in-memory PGlite by default, or a database of its own
// on the PostgreSQL named by TEST_DATABASE_URL (npm run test:pg), dropped afterwards.
// Both start from what tests/support/make-templates.ts made once per run when there is one: PGlite
// starts from its packed image (tests/support/pglite-image.ts), PostgreSQL copies a template
// database (CREATE DATABASE … TEMPLATE). Measured side by side on this machine under a load of ~30:
// 1.7–2.5 s for a copy against 3.0–3.7 s for a new schema and every migration; a server's copy is
// also already seeded.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import path from 'node:path';
import pg from 'pg';
import type { Kysely } from 'kysely';
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
/** On PostgreSQL, the prefix of this run's databases: templates `<prefix>_migrated`, `<prefix>_seeded`, and copies. */
export const PG_TEMPLATES_ENV = 'QUBI_TEST_PG_TEMPLATES';
/** The folder of this run's Node compile cache for the servers (set by tests/support/global-setup.ts). */
export const COMPILE_CACHE_ENV = 'QUBI_TEST_COMPILE_CACHE';
const TEMPLATES_WAIT_MS = 180_000;

/**
 * A file or folder of this run's templates once they are made, or undefined outside a vitest run
 * (the bench scripts), where databases are made from scratch as before.
 */
export async function templatePath(
  name: 'empty.tar' | 'migrated.tar' | 'migrated.image' | 'migrated' | 'seeded',
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

export async function createTestDatabase(
  options: { poolSize?: number; connectTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const image = await templatePath('migrated.image');
    // Imported here: a PostgreSQL run never loads PGlite's JavaScript in its test processes.
    const { imageFileSystem } = await import('./pglite-image.ts');
    const db = await openDatabase({
      kind: 'pglite',
      dataDir: 'memory',
      ...(image ? { fs: imageFileSystem(image) } : {}),
    });
    // Nothing to do on the template (already at the latest migration); everything without one.
    await migrateToLatest(db);
    return { db, kind: 'pglite', env: {}, close: () => db.destroy() };
  }
  const created = await createPostgresDatabase('test', 'migrated');
  const db = await openDatabase({
    kind: 'postgres',
    url: created.url,
    poolSize: options.poolSize ?? 10,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  // Nothing to do on the template (already at the latest migration); everything without one.
  await migrateToLatest(db);
  return {
    db,
    kind: 'postgres',
    env: { DATABASE_URL: created.url },
    async close() {
      await db.destroy();
      await created.drop();
    },
  };
}

/** TEST_DATABASE_URL with another database name. */
export function postgresUrl(database: string): string {
  const url = new URL(testDatabaseUrl!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A new database on TEST_DATABASE_URL's server, a copy of this run's template (`migrated`, or
 * `seeded` as `npm start` leaves it), or empty (`undefined`, or outside a vitest run). Named with
 * a random suffix: other runs may share the server.
 */
export async function createPostgresDatabase(
  purpose: string,
  template: 'migrated' | 'seeded' | undefined,
): Promise<{ url: string; drop(): Promise<void> }> {
  const prefix = process.env[PG_TEMPLATES_ENV];
  // Waits for the templates to be made (the same `ready` file as for PGlite's).
  const from = template && prefix && (await templatePath('migrated.tar')) ? `${prefix}_${template}` : undefined;
  // Named after the run when there is one, so that its end drops whatever a timed-out test left.
  const name = `${prefix ?? 'qubi'}_${purpose}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}${from ? ` TEMPLATE ${from}` : ''}`);
  return {
    url: postgresUrl(name),
    // FORCE: a server killed on purpose (crash tests) may leave connections behind for a moment.
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
