// Opens the database: PostgreSQL through `pg` when a URL is given, otherwise the embedded
// PGlite (the same PostgreSQL, compiled to WebAssembly) in a folder on disk or in memory.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { Database } from './database.ts';
import { nameStatements } from './pg-prepared.ts';
import { preparedPGlite } from './pglite-prepared.ts';

export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      searchPath?: string;
      /** How long a statement may wait for a free connection; 5 s unless a caller knows better. */
      connectTimeoutMs?: number;
    }
  | {
      kind: 'pglite';
      dataDir: string | 'memory';
      /** A tarball from PGlite's dumpDataDir to start from: skips initdb (most of the start-up time). */
      loadDataDir?: Blob;
      /** With `memory`: a file system that already holds a database (the tests' templates, tests/support/pglite-image.ts). */
      fs?: PGliteOptions['fs'];
    };

export function targetFromConfig(config: { databaseUrl: string | undefined; dataDir: string }): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pgdata') };
}

export async function openDatabase(target: DatabaseTarget): Promise<Kysely<Database>> {
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    // Calendar days stay "YYYY-MM-DD" strings: a JS Date would shift them by the server's zone.
    pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      // Fail fast when the database is unreachable instead of queueing requests forever.
      connectionTimeoutMillis: target.connectTimeoutMs ?? 5000,
      ...(target.searchPath ? { options: `-c search_path=${target.searchPath}` } : {}),
    });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', (error) => console.error('[db] idle client error:', error.message));
    // The pool listens for errors only on idle clients. A client that is checked out (between the
    // statements of a transaction) when its connection drops emits 'error' with nobody listening,
    // and Node ends the process for it. With this listener the statement in flight fails (the
    // request gets a 503) and the pool throws the broken client away when it is released.
    pool.on('connect', (client) => {
      client.on('error', (error) => console.error('[db] connection lost:', error.message));
      // Each statement is parsed once per connection (pg-prepared.ts).
      nameStatements(client);
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const DATE_OID = 1082;
  const options = {
    parsers: { [DATE_OID]: (value: string) => value },
    ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    ...(target.fs ? { fs: target.fs } : {}),
  };
  let pglite;
  if (target.dataDir === 'memory') {
    pglite = await PGlite.create(options);
  } else {
    await mkdir(target.dataDir, { recursive: true });
    pglite = await PGlite.create(target.dataDir, options);
  }
  // Each statement is parsed once and run in one call into PGlite (pglite-prepared.ts).
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite: preparedPGlite(pglite) }) });
}
