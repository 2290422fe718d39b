// Made once per test run (vitest globalSetup), before any test file: the embedded databases the test
// files start from. A new PGlite spends most of its start-up in initdb (several seconds, more on a
// busy machine); loading a dump or copying a folder skips it. Built from the current migrations each
// run and removed at the end, so a migration added later is picked up with nothing to regenerate.
//
//   empty.tar        dump of a database just after initdb: for a server's first start (`fresh`)
//   migrated.tar     dump of a migrated, empty database: createTestDatabase loads it in memory
//   migrated/pgdata  the same on disk: copied for servers that seed on their own first start
//                    (NODE_ENV other than production also creates the demo accounts then)
//   seeded/pgdata    migrated and seeded as `npm start` leaves it: copied for production servers
//
// On PostgreSQL (TEST_DATABASE_URL) nothing is made: a migrated schema costs about a second there.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PGliteDialect } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../src/lib/server/db/connection.ts';
import { migrateToLatest } from '../../src/lib/server/db/migrate.ts';
import { migrateAndSeed } from '../../scripts/prepare-database.ts';
import type { Database } from '../../src/lib/server/db/database.ts';
import { TEMPLATES_ENV } from './db.ts';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL) return undefined;
  const started = performance.now();
  const dir = await mkdtemp(path.join(tmpdir(), 'qubi-test-templates-'));
  // initdb in memory: on disk it takes twice as long (PGlite writes through to every file).
  const { empty, migrated } = await dumps();
  await writeFile(path.join(dir, 'empty.tar'), empty);
  const dump = path.join(dir, 'migrated.tar');
  await writeFile(dump, migrated);
  await fillFolder(path.join(dir, 'migrated', 'pgdata'), dump, { seed: false });
  await fillFolder(path.join(dir, 'seeded', 'pgdata'), dump, { seed: true });
  // Test workers and the servers they spawn inherit this process's environment.
  process.env[TEMPLATES_ENV] = dir;
  console.log(`test database templates made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return () => rm(dir, { recursive: true, force: true });
}

/** Dumps (tar) of one new database: just after initdb, and once migrated. */
async function dumps(): Promise<{ empty: Uint8Array; migrated: Uint8Array }> {
  // PGlite itself rather than openDatabase: dumping needs the PGlite handle, which Kysely hides.
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  const tar = async () => new Uint8Array(await (await pglite.dumpDataDir('none')).arrayBuffer());
  try {
    const empty = await tar();
    await migrateToLatest(db);
    return { empty, migrated: await tar() };
  } finally {
    await db.destroy();
  }
}

/** Loads a dump into a folder on disk, as the servers' DATA_DIR/pgdata, seeding it if asked. */
async function fillFolder(dataDir: string, dump: string, options: { seed: boolean }): Promise<void> {
  const db = await openDatabase({ kind: 'pglite', dataDir, loadDataDir: await openAsBlob(dump) });
  try {
    if (options.seed) await migrateAndSeed(db, { seedIfEmpty: true });
  } finally {
    await db.destroy();
  }
}
