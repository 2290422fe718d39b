// Opens the database: PostgreSQL through `pg` when a URL is given, otherwise the embedded
// PGlite (the same PostgreSQL, compiled to WebAssembly) in a folder on disk or in memory.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { ClientConfig } from 'pg';
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

/** How long a request may wait for a pooled connection that another request is using. */
const QUEUE_WAIT_MS = 30_000;

export async function openDatabase(target: DatabaseTarget): Promise<Kysely<Database>> {
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    // Calendar days stay "YYYY-MM-DD" strings: a JS Date would shift them by the server's zone.
    pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
    // pg-pool has one timeout for two different waits: connecting a new client, and waiting in its
    // queue for a busy one. The first must fail fast (the database is away: a quick 503 that says
    // when to come back). The second is a burst (200 families at once on one slot, each holding a
    // connection while it waits for the slot's lock) and must queue: under load in CI, waits of
    // more than 5 s turned a burst's last requests into 503s. So the client itself gives up
    // connecting after connectTimeoutMs, and the pool's queue waits up to QUEUE_WAIT_MS.
    const connectTimeoutMs = target.connectTimeoutMs ?? 5000;
    class QuickToConnect extends pg.Client {
      constructor(config?: ClientConfig) {
        super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
      }
    }
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      Client: QuickToConnect,
      connectionTimeoutMillis: Math.max(QUEUE_WAIT_MS, connectTimeoutMs),
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
