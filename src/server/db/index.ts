// The server's one database handle. The start script opens it (to migrate, seed and run the
// outbox worker) and shares it here, so one process never opens the embedded database twice;
// without it (dev server, tests of the bundle) it is opened on first use from the environment.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { getConfig } from '#/server/config.ts';
import { openDatabase, targetFromConfig } from './connection.ts';
import type { Database } from './database.ts';
import { onShutdown } from '#/server/shutdown.ts';

const SHARED = Symbol.for('qubi.database');
type Holder = Record<symbol, Kysely<Database> | undefined>;

let opening: Promise<Kysely<Database>> | undefined;

/** Called by the start script: the bundle's getDb() then returns this instance. */
export function shareDatabase(db: Kysely<Database>): void {
  (globalThis as unknown as Holder)[SHARED] = db;
}

export function getDb(): Promise<Kysely<Database>> {
  const shared = (globalThis as unknown as Holder)[SHARED];
  if (shared) return Promise.resolve(shared);
  if (!opening) {
    opening = openDatabase(targetFromConfig(getConfig())).then((db) => {
      onShutdown(() => db.destroy());
      return db;
    });
    // A failed open (e.g. PostgreSQL down at start) is retried on the next request.
    opening.catch(() => (opening = undefined));
  }
  return opening;
}

/** True when the database answers a trivial query within `timeoutMs`. */
export async function isDatabaseReachable(timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const probe = getDb()
      .then((db) => sql`select 1`.execute(db))
      .then(
        () => true,
        () => false,
      );
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
