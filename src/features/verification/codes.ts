// The codes of pending holds and of volunteer sign-ups, in the database: one row per subject
// (verification_code: a booking's hold, a volunteer not yet confirmed, an event sign-up's hold), the code's HMAC only.
// Every function takes the caller's transaction, so a code is issued with what it confirms and spent
// with the confirmation. Guesses are counted before they are compared, in one UPDATE, so concurrent
// guesses never get more than MAX_ATTEMPTS tries between them.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { getConfig } from '#/server/config.ts';
import { MAX_ATTEMPTS, MAX_SENDS, codeMatches, generateCode, hashCode } from './code.ts';

export type CodeChannel = 'sms' | 'email';

/** What a code confirms: a booking's pending hold, a volunteer's sign-up, an event sign-up's hold, a pledge's hold, a waiting-list entry. */
export type CodeSubject =
  | { bookingId: number }
  | { volunteerId: number }
  | { registrationId: number }
  | { pledgeId: number }
  | { waitEntryId: number };

/**
 * The subject's column and id (exactly one is set on each row), and what its hash is bound to: a
 * booking's id as it always was, the others named, so one code never fits another subject.
 */
export function subjectOf(subject: CodeSubject) {
  if ('bookingId' in subject) return { column: 'booking_id', id: subject.bookingId, bound: subject.bookingId } as const;
  if ('volunteerId' in subject)
    return { column: 'volunteer_id', id: subject.volunteerId, bound: `volunteer-${subject.volunteerId}` } as const;
  if ('registrationId' in subject)
    return {
      column: 'registration_id',
      id: subject.registrationId,
      bound: `registration-${subject.registrationId}`,
    } as const;
  if ('pledgeId' in subject)
    return { column: 'pledge_id', id: subject.pledgeId, bound: `pledge-${subject.pledgeId}` } as const;
  return { column: 'wait_entry_id', id: subject.waitEntryId, bound: `wait-${subject.waitEntryId}` } as const;
}

/** Draws the subject's first code and stores its hash; the caller sends the returned code. */
export async function issueCode(
  trx: Db,
  hold: CodeSubject & { channel: CodeChannel; expiresAt: Date },
  secret: string,
  now: Date,
): Promise<string> {
  const { code, column, id, hash } = drawCode(hold, secret);
  await trx
    .insertInto('verification_code')
    .values({ [column]: id, channel: hold.channel, code_hash: hash, last_sent_at: now, expires_at: hold.expiresAt })
    .execute();
  return code;
}

/**
 * issueCode as part of the statement that queues the code's message (enqueueMessage's `alongside`):
 * the code, and the CTE that stores its hash. One round trip less on the write path of every hold.
 */
export function issueCodeAlongside(
  hold: CodeSubject & { channel: CodeChannel; expiresAt: Date },
  secret: string,
  now: Date,
  // Stored only if this holds (the subject's row written by the same statement: see enqueueMessage).
  onlyIf: RawBuilder<boolean> = sql<boolean>`true`,
): { code: string; store: RawBuilder<unknown> } {
  const { code, column, id, hash } = drawCode(hold, secret);
  return {
    code,
    store: sql`issued_code AS (
      INSERT INTO verification_code (${sql.ref(column)}, channel, code_hash, last_sent_at, expires_at)
      SELECT ${id}::int, ${hold.channel}::text, ${hash}::text, ${now}::timestamptz, ${hold.expiresAt}::timestamptz
       WHERE ${onlyIf}
    )`,
  };
}

function drawCode(hold: CodeSubject, secret: string) {
  const code = generateCode();
  const { column, id, bound } = subjectOf(hold);
  return { code, column, id, hash: hashCode(secret, bound, code) };
}

export type ResendOutcome =
  | { ok: true; code: string; channel: CodeChannel }
  | { ok: false; reason: 'too_soon'; retryAfterSeconds: number }
  | { ok: false; reason: 'no_more' | 'gone' };

/** How long after a code "send again" may send the next one (CODE_RESEND_SECONDS, default 60). */
export const resendAfterSeconds = (): number => getConfig().codeResendSeconds;

/**
 * A fresh code for "send again" (or to another channel): at most MAX_SENDS codes per hold, at least
 * resendAfterSeconds() apart unless the channel changes. The previous code stops working; the tries already used still count.
 */
export async function resendCode(
  trx: Db,
  subject: CodeSubject,
  channel: CodeChannel | undefined,
  secret: string,
  now: Date,
): Promise<ResendOutcome> {
  const code = generateCode();
  const { column, id, bound } = subjectOf(subject);
  const waitMs = resendAfterSeconds() * 1000;
  const row = await trx
    .updateTable('verification_code')
    .set({
      code_hash: hashCode(secret, bound, code),
      sends: sql<number>`sends + 1`,
      last_sent_at: now,
      ...(channel ? { channel } : {}),
    })
    .where(column, '=', id)
    .where('expires_at', '>', now)
    .where('attempts', '<', MAX_ATTEMPTS)
    .where('sends', '<', MAX_SENDS)
    // A change of channel ("use email instead": the phone was wrong, or no SMS comes) need not wait.
    .where((eb) =>
      channel
        ? eb.or([eb('channel', '!=', channel), eb('last_sent_at', '<=', new Date(now.getTime() - waitMs))])
        : eb('last_sent_at', '<=', new Date(now.getTime() - waitMs)),
    )
    .returning('channel')
    .executeTakeFirst();
  if (row) return { ok: true, code, channel: row.channel };
  const current = await findCode(trx, subject);
  if (!current || current.expires_at <= now || current.attempts >= MAX_ATTEMPTS) return { ok: false, reason: 'gone' };
  if (current.sends >= MAX_SENDS) return { ok: false, reason: 'no_more' };
  const wait = current.last_sent_at.getTime() + waitMs - now.getTime();
  return { ok: false, reason: 'too_soon', retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
}

export type CheckOutcome =
  | { ok: true }
  | { ok: false; reason: 'wrong'; triesLeft: number }
  | { ok: false; reason: 'locked' | 'expired' | 'gone' };

/**
 * Counts one try and compares; the right code deletes the row (single use). `spentByCaller`: the
 * caller deletes it itself, in the same transaction, with the write the code confirms (one round
 * trip less): it must, or the code would work again.
 */
export async function checkCode(
  trx: Db,
  subject: CodeSubject,
  code: string | undefined,
  secret: string,
  now: Date,
  options: { spentByCaller?: boolean } = {},
): Promise<CheckOutcome> {
  const { column, id } = subjectOf(subject);
  const counted = await trx
    .updateTable('verification_code')
    .set({ attempts: sql<number>`attempts + 1` })
    .where(column, '=', id)
    .where('expires_at', '>', now)
    .where('attempts', '<', MAX_ATTEMPTS)
    .returning(['code_hash', 'attempts'])
    .executeTakeFirst();
  return judgeTry(trx, subject, counted, code, secret, now, options);
}

/**
 * The outcome of a try already counted (checkCode's UPDATE, or the same UPDATE inside the caller's
 * own statement: its `code_hash` and `attempts` after the count; undefined when nothing was counted).
 */
export async function judgeTry(
  trx: Db,
  subject: CodeSubject,
  counted: { code_hash: string; attempts: number } | undefined,
  code: string | undefined,
  secret: string,
  now: Date,
  options: { spentByCaller?: boolean } = {},
): Promise<CheckOutcome> {
  const { column, id, bound } = subjectOf(subject);
  if (!counted) {
    const current = await findCode(trx, subject);
    if (!current) return { ok: false, reason: 'gone' };
    return { ok: false, reason: current.expires_at <= now ? 'expired' : 'locked' };
  }
  if (code !== undefined && codeMatches(secret, bound, code, counted.code_hash)) {
    if (!options.spentByCaller) await trx.deleteFrom('verification_code').where(column, '=', id).execute();
    return { ok: true };
  }
  const triesLeft = MAX_ATTEMPTS - counted.attempts;
  return triesLeft > 0 ? { ok: false, reason: 'wrong', triesLeft } : { ok: false, reason: 'locked' };
}

/** Where the subject's code went, and whether "send again" is possible now. */
export async function findCode(db: Db, subject: CodeSubject) {
  const { column, id } = subjectOf(subject);
  return db
    .selectFrom('verification_code')
    .select(['channel', 'attempts', 'sends', 'last_sent_at', 'expires_at'])
    .where(column, '=', id)
    .executeTakeFirst();
}
