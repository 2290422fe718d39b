// The server secret: APP_SECRET if set, otherwise a random one created once and kept in the
// database, so that every instance signs and checks with the same key.
import { randomBytes } from 'node:crypto';
import type { Db } from './db/database.ts';

// Read once per process: every public write needs it (rate-limit keys, form signatures). The
// promise is kept, so requests arriving together before the first read completes share it; a read
// that failed (database away) is tried again by the next caller.
let cached: Promise<string> | undefined;

export function getServerSecret(db: Db): Promise<string> {
  cached ??= readSecret(db).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function readSecret(db: Db): Promise<string> {
  const fromEnv = process.env.APP_SECRET?.trim();
  if (fromEnv) return fromEnv;
  await db
    .insertInto('app_setting')
    .values({ key: 'secret', value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_setting').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow();
  return row.value;
}
