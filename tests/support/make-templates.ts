// Makes the embedded databases the test files start from, in the folder given as argument; run once
// per test run by tests/support/global-setup.ts, in a process of its own (PGlite leaves handles that
// would keep vitest from exiting). A new PGlite spends most of its start-up in initdb (several
// seconds, more on a busy machine); loading a dump or copying a folder skips it. Built from the
// current migrations and seed each run, so a migration added later is picked up with nothing to
// regenerate.
//
//   empty.tar        dump of a database just after initdb: for a server's first start (`fresh`)
//   migrated.tar     dump of a migrated, empty database (taken while it runs)
//   migrated/pgdata  the same on disk, shut down cleanly: copied for servers that seed on their own
//                    first start (NODE_ENV other than production also creates the demo accounts then)
//   migrated.image   migrated/pgdata packed (tests/support/pglite-image.ts): createTestDatabase
//                    starts an in-memory database from it
//   seeded/pgdata    migrated and seeded as `npm start` leaves it: copied for production servers
//
// On PostgreSQL (TEST_DATABASE_URL) it makes two template databases instead, named by the prefix
// in QUBI_TEST_PG_TEMPLATES: `<prefix>_migrated` and `<prefix>_seeded`, copied with CREATE DATABASE
// … TEMPLATE for each test file and server (tests/support/db.ts). No PGlite is made then.
//
// A file named `ready` (or `failed`, with the error) tells the test workers waiting for them.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { Kysely, PGliteDialect, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '#/server/db/connection.ts';
import { migrateToLatest } from '#/server/db/migrate.ts';
import { migrateAndSeed } from '../../scripts/prepare-database.ts';
import type { Database } from '#/server/db/database.ts';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';
import { writeImage } from './pglite-image.ts';
import { PG_TEMPLATES_ENV, TEMPLATES_READY, TEMPLATES_FAILED, postgresUrl, testDatabaseUrl } from './db.ts';
import pg from 'pg';

async function makeTemplates(dir: string): Promise<void> {
  const started = performance.now();
  // initdb in memory: on disk it takes twice as long (PGlite writes through to every file).
  const { empty, migrated } = await dumps();
  await writeFile(path.join(dir, 'empty.tar'), empty);
  const dump = path.join(dir, 'migrated.tar');
  await writeFile(dump, migrated);
  const migratedDir = path.join(dir, 'migrated', 'pgdata');
  await fillFolder(migratedDir, dump);
  writeImage(migratedDir, path.join(dir, 'migrated.image'));
  await seedCopy(migratedDir, path.join(dir, 'seeded', 'pgdata'));
  console.log(`test database templates made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
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
    // A test database holds a few MB: PostgreSQL's default 128 MB of shared buffers only made each
    // copy zero that memory at start (measured: a server's start took 2.6–3.1 s of CPU with the
    // default, 2.1–2.5 s with 8 MB). Test copies only; `npm start` keeps the default. Written to
    // postgresql.auto.conf, so the dump and every copy made from it carry it; the `empty` dump
    // (a real first start) does not.
    await sql`ALTER SYSTEM SET shared_buffers = '16MB'`.execute(db);
    return { empty, migrated: await tar() };
  } finally {
    await db.destroy();
  }
}

/** Loads a dump into a folder on disk, as the servers' DATA_DIR/pgdata; closed, so shut down cleanly. */
async function fillFolder(dataDir: string, dump: string): Promise<void> {
  await (await openDatabase({ kind: 'pglite', dataDir, loadDataDir: await openAsBlob(dump) })).destroy();
}

/**
 * A copy of the migrated folder, seeded as `npm start` seeds a new database. Copied rather than
 * loaded from the dump again: no untar and no recovery at its start (the dump was taken from a
 * running database, the folder was shut down cleanly).
 */
async function seedCopy(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await promisify(execFile)('cp', ['-R', from, to]);
  const db = await openDatabase({ kind: 'pglite', dataDir: to });
  try {
    await migrateAndSeed(db, { seedIfEmpty: true });
  } finally {
    await db.destroy();
  }
}

/** The two template databases of a PostgreSQL run; closed before `ready`: a template must have no connections. */
async function makePostgresTemplates(prefix: string): Promise<void> {
  const started = performance.now();
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    for (const kind of ['migrated', 'seeded'] as const) {
      await admin.query(`CREATE DATABASE ${prefix}_${kind}`);
      const db = await openDatabase({ kind: 'postgres', url: postgresUrl(`${prefix}_${kind}`), poolSize: 1 });
      try {
        if (kind === 'seeded') await migrateAndSeed(db, { seedIfEmpty: true });
        else await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
    }
  } finally {
    await admin.end();
  }
  console.log(`test template databases made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// The key the test processes use (tests/support/global-setup.ts): set already when global-setup
// starts this script; set here when .ci/run makes the templates once before its suites.
process.env.APP_SECRET ??= THROWAWAY_APP_SECRET;
const dir = process.argv[2]!;
try {
  const prefix = process.env[PG_TEMPLATES_ENV];
  if (testDatabaseUrl && prefix) await makePostgresTemplates(prefix);
  else await makeTemplates(dir);
  await writeFile(path.join(dir, TEMPLATES_READY), '');
} catch (error) {
  await writeFile(
    path.join(dir, TEMPLATES_FAILED),
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exitCode = 1;
}
// PGlite leaves handles open after close(): without this the process stayed until the end of the
// run, holding ~0.5 GB of memory that the test workers and their servers need on a 2-core machine.
process.exit();
