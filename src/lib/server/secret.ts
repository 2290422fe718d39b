// The server secret: APP_SECRET if set, otherwise a random one created once and kept in the
// database, so that every instance signs and checks with the same key.
import { randomBytes } from 'node:crypto';
import type { Db } from './db/database.ts';

let cached: string | undefined;

export async function getServerSecret(db: Db): Promise<string> {
  if (cached) return cached;
  const fromEnv = process.env.APP_SECRET?.trim();
  if (fromEnv) return (cached = fromEnv);
  await db
    .insertInto('app_setting')
    .values({ key: 'secret', value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_setting').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow();
  return (cached = row.value);
}
