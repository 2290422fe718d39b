// The codes of pending holds, in the database: one row per hold (verification_code), the code's
// HMAC only. Every function takes the caller's transaction, so a code is issued with the hold it
// confirms and spent with the confirmation. Guesses are counted before they are compared, in one
// UPDATE, so concurrent guesses never get more than MAX_ATTEMPTS tries between them.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { MAX_ATTEMPTS, MAX_SENDS, RESEND_AFTER_SECONDS, codeMatches, generateCode, hashCode } from './code.ts';

export type CodeChannel = 'sms' | 'email';

/** What a code confirms: a booking's hold (#12) or an event registration's (#13). */
export type CodeOwner = number | { registrationId: number };

/** The owner's column and id in verification_code, and the name its hash is bound to. */
function ownerOf(owner: CodeOwner) {
  return typeof owner === 'number'
    ? { column: 'booking_id' as const, id: owner, bound: owner }
    : { column: 'registration_id' as const, id: owner.registrationId, bound: `r${owner.registrationId}` };
}

/** Draws the hold's first code and stores its hash; the caller sends the returned code. */
export async function issueCode(
  trx: Db,
  hold: { bookingId: CodeOwner; channel: CodeChannel; expiresAt: Date },
  secret: string,
  now: Date,
): Promise<string> {
  const code = generateCode();
  const owner = ownerOf(hold.bookingId);
  await trx
    .insertInto('verification_code')
    .values({
      [owner.column]: owner.id,
      channel: hold.channel,
      code_hash: hashCode(secret, owner.bound, code),
      last_sent_at: now,
      expires_at: hold.expiresAt,
    })
    .execute();
  return code;
}

export type ResendOutcome =
  | { ok: true; code: string; channel: CodeChannel }
  | { ok: false; reason: 'too_soon'; retryAfterSeconds: number }
  | { ok: false; reason: 'no_more' | 'gone' };

/**
 * A fresh code for "send again" (or to another channel): at most MAX_SENDS codes per hold, at least
 * RESEND_AFTER_SECONDS apart unless the channel changes. The previous code stops working; the tries already used still count.
 */
export async function resendCode(
  trx: Db,
  bookingId: CodeOwner,
  channel: CodeChannel | undefined,
  secret: string,
  now: Date,
): Promise<ResendOutcome> {
  const code = generateCode();
  const owner = ownerOf(bookingId);
  const row = await trx
    .updateTable('verification_code')
    .set({
      code_hash: hashCode(secret, owner.bound, code),
      sends: sql<number>`sends + 1`,
      last_sent_at: now,
      ...(channel ? { channel } : {}),
    })
    .where(owner.column, '=', owner.id)
    .where('expires_at', '>', now)
    .where('attempts', '<', MAX_ATTEMPTS)
    .where('sends', '<', MAX_SENDS)
    // A change of channel ("use email instead": the phone was wrong, or no SMS comes) need not wait.
    .where((eb) =>
      channel
        ? eb.or([
            eb('channel', '!=', channel),
            eb('last_sent_at', '<=', new Date(now.getTime() - RESEND_AFTER_SECONDS * 1000)),
          ])
        : eb('last_sent_at', '<=', new Date(now.getTime() - RESEND_AFTER_SECONDS * 1000)),
    )
    .returning('channel')
    .executeTakeFirst();
  if (row) return { ok: true, code, channel: row.channel };
  const current = await findCode(trx, bookingId);
  if (!current || current.expires_at <= now || current.attempts >= MAX_ATTEMPTS) return { ok: false, reason: 'gone' };
  if (current.sends >= MAX_SENDS) return { ok: false, reason: 'no_more' };
  const wait = current.last_sent_at.getTime() + RESEND_AFTER_SECONDS * 1000 - now.getTime();
  return { ok: false, reason: 'too_soon', retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
}

export type CheckOutcome =
  | { ok: true }
  | { ok: false; reason: 'wrong'; triesLeft: number }
  | { ok: false; reason: 'locked' | 'expired' | 'gone' };

/** Counts one try and compares; the right code deletes the row (single use). */
export async function checkCode(
  trx: Db,
  bookingId: CodeOwner,
  code: string | undefined,
  secret: string,
  now: Date,
): Promise<CheckOutcome> {
  const owner = ownerOf(bookingId);
  const counted = await trx
    .updateTable('verification_code')
    .set({ attempts: sql<number>`attempts + 1` })
    .where(owner.column, '=', owner.id)
    .where('expires_at', '>', now)
    .where('attempts', '<', MAX_ATTEMPTS)
    .returning(['code_hash', 'attempts'])
    .executeTakeFirst();
  if (!counted) {
    const current = await findCode(trx, bookingId);
    if (!current) return { ok: false, reason: 'gone' };
    return { ok: false, reason: current.expires_at <= now ? 'expired' : 'locked' };
  }
  if (code !== undefined && codeMatches(secret, owner.bound, code, counted.code_hash)) {
    await trx.deleteFrom('verification_code').where(owner.column, '=', owner.id).execute();
    return { ok: true };
  }
  const triesLeft = MAX_ATTEMPTS - counted.attempts;
  return triesLeft > 0 ? { ok: false, reason: 'wrong', triesLeft } : { ok: false, reason: 'locked' };
}

/** Where the hold's code went, and whether "send again" is possible now. */
export async function findCode(db: Db, bookingId: CodeOwner) {
  const owner = ownerOf(bookingId);
  return db
    .selectFrom('verification_code')
    .select(['channel', 'attempts', 'sends', 'last_sent_at', 'expires_at'])
    .where(owner.column, '=', owner.id)
    .executeTakeFirst();
}
