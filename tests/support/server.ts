// Starts the built site (`node scripts/start.ts`, as `npm start` does) on a free port with its own
// data: a temporary embedded database (a copy of this run's template), or a database of its own on TEST_DATABASE_URL.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { COMPILE_CACHE_ENV, TEMPLATES_ENV, createPostgresDatabase, templatePath, testDatabaseUrl } from './db.ts';
import { scratchRoot } from './scratch.ts';
import { openDatabase } from '#/server/db/connection.ts';
import { migrateAndSeed } from '../../scripts/prepare-database.ts';
import type { Database } from '#/server/db/database.ts';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';
import { TEST_NODE_FLAGS } from './node-flags.ts';

export interface RunningServer {
  origin: string;
  process: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The server's own data folder and, on PostgreSQL, its own database: a copy of this run's template
 * as `scripts/start.ts` would leave it on a first start (seeded for production servers, only
 * migrated for others, which seed it themselves), or empty when `fresh`.
 */
async function databaseEnv(options: {
  production: boolean;
  fresh: boolean;
  /** The caller names the database (DATABASE_URL): nothing to make. */
  databaseGiven: boolean;
}): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  // In a test run, in memory (tests/support/scratch.ts); elsewhere (the bench scripts) as before.
  const dataDir = await mkdtemp(path.join(process.env[TEMPLATES_ENV] ? scratchRoot : tmpdir(), 'qubi-test-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if (!testDatabaseUrl || options.databaseGiven) return { env: { DATA_DIR: dataDir }, cleanup: removeDir };
  const database = await createPostgresDatabase(
    'srv',
    options.fresh ? undefined : options.production ? 'seeded' : 'migrated',
  );
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url },
    async cleanup() {
      await database.drop();
      await removeDir();
    },
  };
}

/**
 * Gives an embedded database that does not exist yet the contents `scripts/start.ts` would make on
 * its first start, copied from this run's templates (tests/support/make-templates.ts) instead of
 * initdb + migrations + seed. Production starts find it seeded; other starts find it only migrated,
 * so start.ts still seeds it and creates the demo accounts as on a real first start. A `fresh` one
 * gets only what initdb makes: the server runs every migration and the seed itself.
 */
async function fillFromTemplate(
  target: Record<string, string | undefined>,
  options: { fresh: boolean },
): Promise<void> {
  if (target.DATABASE_URL) return;
  const pgdata = path.join(target.DATA_DIR!, 'pgdata');
  if (existsSync(pgdata)) return;
  if (options.fresh) {
    const dump = await templatePath('empty.tar');
    if (dump)
      await (await openDatabase({ kind: 'pglite', dataDir: pgdata, loadDataDir: await openAsBlob(dump) })).destroy();
    return;
  }
  const template = await templatePath(target.NODE_ENV === 'production' ? 'seeded' : 'migrated');
  if (template) await copyFolder(path.join(template, 'pgdata'), pgdata);
}

/**
 * The system's `cp -R` rather than Node's fs.cp: a template's pgdata is 1,244 files (42 MB), which
 * fs.cp walks in JavaScript in the test worker. Measured on this machine (load ~13), three copies
 * each: fs.cp 0.28–0.39 s of the worker's CPU and 0.53–0.66 s wall, `cp -R` 0.05 s of CPU and
 * 0.06–0.25 s wall. (The worker's CPU only: `cp` itself took 0.45–1.1 s of system CPU onto the
 * disk, 0.07 s into memory, where a test run now copies: tests/support/scratch.ts.) `npm test`
 * starts ~48 servers, the browser suite about one per file.
 */
async function copyFolder(from: string, to: string): Promise<void> {
  await promisify(execFile)('cp', ['-R', from, to]);
}

export interface StartOptions {
  /** Runs on the server's own database (migrated and seeded) before the server starts, then closes it. */
  prepare?: (db: Kysely<Database>) => Promise<void>;
  /** An embedded database with nothing in it yet, as on a real first start: the server runs every migration and the seed. */
  fresh?: boolean;
  /**
   * V8's default flags, as `npm start` runs the site, instead of the tests' TEST_NODE_FLAGS: for the
   * bench, whose bare baseline has them too. `--liftoff-only` keeps PGlite's WebAssembly on V8's
   * baseline compiler for the server's whole life (docs/performance.md, benchcpu).
   */
  v8Defaults?: boolean;
}

export async function startServer(
  extraEnv: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningServer> {
  // `npm test` builds first (pretest); a bare `vitest run` on an unbuilt tree says so here.
  if (!existsSync('dist/server/entry.mjs'))
    throw new Error('The site is not built: run `npm run build` or use `npm test`.');
  // Production requires APP_SECRET (the key of encryption at rest); this process prepares the
  // database with the same one, so the server reads what was stored here.
  process.env.APP_SECRET ??= THROWAWAY_APP_SECRET;
  const { env, cleanup } = await databaseEnv({
    production: (extraEnv.NODE_ENV ?? 'production') === 'production',
    fresh: options.fresh ?? false,
    databaseGiven: extraEnv.DATABASE_URL !== undefined,
  });
  // The tests run the demo (its desks, events and campaign) on a production build: a server given an
  // empty database seeds it with the samples too, unless a test says otherwise (production-start).
  const target: Record<string, string> = {
    NODE_ENV: 'production',
    SEED_SAMPLES: 'yes',
    DATABASE_URL: '',
    ...env,
    ...extraEnv,
  };
  await fillFromTemplate(target, { fresh: options.fresh ?? false });
  if (options.prepare) {
    // The embedded database takes one process at a time: prepared and closed before the server opens it.
    const db = await openDatabase(
      target.DATABASE_URL
        ? { kind: 'postgres', url: target.DATABASE_URL, poolSize: 1 }
        : { kind: 'pglite', dataDir: path.join(target.DATA_DIR!, 'pgdata') },
    );
    try {
      await migrateAndSeed(db, { seedIfEmpty: true });
      await options.prepare(db);
    } finally {
      await db.destroy();
    }
  }
  const child = spawn(process.execPath, [...(options.v8Defaults ? [] : TEST_NODE_FLAGS), 'scripts/start.ts'], {
    env: {
      ...process.env,
      ...(process.env[COMPILE_CACHE_ENV] ? { NODE_COMPILE_CACHE: process.env[COMPILE_CACHE_ENV] } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      ...target,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${log}`)), 60000);
    const check = () => {
      const m = /running at (http:\/\/[^\s]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        // Not again for every later chunk: matching the whole log flattens it, a copy of all the
        // output so far per chunk (the bench's servers write a line per SMS).
        child.stdout!.off('data', check);
        resolve(m[1]!.replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    origin,
    process: child,
    output: () => log,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      await cleanup();
      return code;
    },
  };
}
