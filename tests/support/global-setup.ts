// vitest globalSetup (both configs): starts making this run's test databases (tests/support/
// make-templates.ts) in a process of its own and returns at once, so a run of unit tests alone never
// waits for them; the first file that needs a database waits (tests/support/db.ts). Workers and the
// servers they spawn find the folder through the environment, which they inherit from this process.
// On PostgreSQL (TEST_DATABASE_URL) it makes two template databases there instead, dropped at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { COMPILE_CACHE_ENV, PG_TEMPLATES_ENV, TEMPLATES_ENV, testDatabaseUrl } from './db.ts';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';
import { TEST_NODE_FLAGS } from './node-flags.ts';
import { scratchRoot } from './scratch.ts';

/** Set once this process has made (or found) the run's templates: several globalSetups may ask. */
const SET_UP = Symbol.for('qubi.test-templates-set-up');

export default function setup(): (() => Promise<void>) | undefined {
  // A project's globalSetup that needs the templates first (tests/support/shared-server-setup.ts)
  // calls this before vitest calls it for the root: the second call finds them under way.
  const state = globalThis as { [SET_UP]?: true };
  if (state[SET_UP]) return undefined;
  state[SET_UP] = true;
  // One key of encryption at rest for the whole run: the templates, the workers and the servers
  // they start must all read what the others stored (the server secret, TOTP secrets).
  process.env.APP_SECRET ??= THROWAWAY_APP_SECRET;
  // Templates made beforehand for several runs (.ci/run makes them once for the PGlite and the
  // browser suites): used as they are, and left for whoever made them. PGlite only: on PostgreSQL
  // the folder's `ready` file also says that this run's template databases are made.
  const given = process.env[TEMPLATES_ENV];
  if (given && !testDatabaseUrl && existsSync(given)) {
    process.env[COMPILE_CACHE_ENV] ??= path.join(given, 'node-compile-cache');
    return undefined;
  }
  const dir = mkdtempSync(path.join(scratchRoot, 'qubi-test-templates-'));
  process.env[TEMPLATES_ENV] = dir;
  // Node's cache of compiled modules for the servers of this run (removed with the folder): the ~30
  // servers a run starts each load the same built bundle and scripts; measured, a server's start
  // took 2.3–2.6 s of CPU with it against 2.6–2.8 s without. Given to the servers only
  // (tests/support/server.ts): a process writes its cache as it exits, and vitest's workers may
  // still be exiting when the folder is removed below.
  process.env[COMPILE_CACHE_ENV] = path.join(dir, 'node-compile-cache');
  // Random: other runs may use the same PostgreSQL server at the same time.
  const prefix = `qubi_run_${randomBytes(6).toString('hex')}`;
  if (testDatabaseUrl) process.env[PG_TEMPLATES_ENV] = prefix;
  const maker = spawn(process.execPath, [...TEST_NODE_FLAGS, 'tests/support/make-templates.ts', dir], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => maker.on('exit', () => resolve()));
  return async () => {
    delete state[SET_UP];
    // A run cut short (a filter with no database test, a bail) may end before the templates are done.
    if (maker.exitCode === null && maker.signalCode === null) maker.kill();
    await exited;
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    if (testDatabaseUrl) await dropRunDatabases(prefix);
  };
}

/** This run's templates and whatever copy a test that timed out or failed left behind. */
async function dropRunDatabases(prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [`${prefix}_`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
