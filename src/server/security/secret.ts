// The server secret (signs form timestamps, volunteers' links, rate-limit keys): a random value
// created once and kept in the database, so every instance signs and checks with the same key. It is
// stored encrypted with the at-rest key from APP_SECRET (at-rest.ts), so a database dump alone
// cannot forge links; rotating APP_SECRET re-encrypts it and leaves it, and every link, unchanged.
import { randomBytes } from 'node:crypto';
import type { Db } from '#/server/db/database.ts';
import { atRestKeys, decryptAtRest, encryptAtRest, needsReencryption } from './at-rest.ts';

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

/**
 * Tests only: the integration files run one after the other in a process (tests/support/
 * per-file-state.ts), each on a database of its own, with a server secret of its own.
 */
export function forgetServerSecretForTests(): void {
  cached = undefined;
}

async function readSecret(db: Db): Promise<string> {
  await db
    .insertInto('app_setting')
    .values({ key: 'secret', value: encryptAtRest(randomBytes(32).toString('base64url')) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_setting').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow();
  return decryptAtRest(row.value);
}

/**
 * Rewrites under the current APP_SECRET every value stored in clear (from before encryption at
 * rest) or under APP_SECRET_PREVIOUS: the server secret and the TOTP secrets. Run at every start,
 * after the migrations; each row is updated only if unchanged meanwhile. Returns how many.
 */
export async function reencryptStoredSecrets(db: Db): Promise<number> {
  // Fails the start at once in production without APP_SECRET (rather than at the first request);
  // elsewhere, prints the development-key warning once, at start.
  atRestKeys();
  let count = 0;
  const setting = await db.selectFrom('app_setting').select('value').where('key', '=', 'secret').executeTakeFirst();
  if (setting && needsReencryption(setting.value)) {
    const done = await db
      .updateTable('app_setting')
      .set({ value: encryptAtRest(decryptAtRest(setting.value)) })
      .where('key', '=', 'secret')
      .where('value', '=', setting.value)
      .executeTakeFirst();
    count += Number(done.numUpdatedRows);
  }
  const users = await db
    .selectFrom('app_user')
    .select(['id', 'totp_secret'])
    .where('totp_secret', 'is not', null)
    .execute();
  for (const user of users) {
    if (!needsReencryption(user.totp_secret!)) continue;
    const done = await db
      .updateTable('app_user')
      .set({ totp_secret: encryptAtRest(decryptAtRest(user.totp_secret!)) })
      .where('id', '=', user.id)
      .where('totp_secret', '=', user.totp_secret)
      .executeTakeFirst();
    count += Number(done.numUpdatedRows);
  }
  return count;
}
