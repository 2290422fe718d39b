// Spam protection without CAPTCHA: a honeypot field people never see, and a signed timestamp
// that proves the form was shown at least a few seconds before it was sent.
//
// A timestamp is spent by the first contact (phone or email) that sends it (`spendFormSubmission`):
// a bot that fetched the form once cannot post it again and again under other names. The same
// contact may send it again (a double click, a form sent back with an error and corrected), as the
// submission key and the per-contact rate limit already deal with that. Spent stamps are kept, as
// HMACs, until they would be too old anyway (MAX_AGE_SECONDS); the hourly housekeeping drops them.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { sameSecret } from '#/server/security/same-secret.ts';
import type { Db } from '#/server/db/database.ts';

export const HONEYPOT_FIELD = 'website';
export const FORM_TIMESTAMP_FIELD = 'formStartedAt';
export const MIN_FILL_SECONDS = 3;
export const MAX_AGE_SECONDS = 24 * 3600;

export function signFormTimestamp(secret: string, now: Date = new Date()): string {
  const t = String(now.getTime());
  return `${t}.${createHmac('sha256', secret).update(`form:${t}`).digest('base64url').slice(0, 22)}`;
}

export type SpamVerdict = 'ok' | 'honeypot' | 'too_fast' | 'bad_token';

/** Judges a submitted form. `minSeconds` can be lowered in tests; never below 0. */
export function checkFormSubmission(
  fields: { honeypot: unknown; token: unknown },
  secret: string,
  now: Date = new Date(),
  minSeconds = Number(process.env.FORM_MIN_FILL_SECONDS ?? MIN_FILL_SECONDS),
): SpamVerdict {
  if (typeof fields.honeypot === 'string' && fields.honeypot.trim() !== '') return 'honeypot';
  if (typeof fields.token !== 'string') return 'bad_token';
  const [t, mac] = fields.token.split('.');
  if (!t || !mac || !/^\d{10,16}$/.test(t)) return 'bad_token';
  const expected = createHmac('sha256', secret).update(`form:${t}`).digest('base64url').slice(0, 22);
  if (!sameSecret(mac, expected)) return 'bad_token';
  const age = (now.getTime() - Number(t)) / 1000;
  if (age > MAX_AGE_SECONDS || age < -60) return 'bad_token';
  if (age < Math.max(0, minSeconds)) return 'too_fast';
  return 'ok';
}

/**
 * `checkFormSubmission`, and then, for a good one, spends its timestamp for `contact`: a stamp
 * already spent by another contact is `bad_token` (the page shows the form again on a new clock).
 * One statement: two requests racing with one stamp and different contacts cannot both pass.
 */
export async function spendFormSubmission(
  db: Db,
  fields: { honeypot: unknown; token: unknown },
  contact: string | null,
  secret: string,
  now: Date = new Date(),
): Promise<SpamVerdict> {
  const verdict = checkFormSubmission(fields, secret, now);
  if (verdict !== 'ok') return verdict;
  const token = fields.token as string;
  const stampHash = createHmac('sha256', secret).update(`spent-stamp:${token}`).digest('base64url');
  const contactHash = createHmac('sha256', secret)
    .update(`stamp-contact:${contact?.trim().toLowerCase() ?? ''}`)
    .digest('base64url');
  const expiresAt = new Date(Number(token.split('.')[0]) + MAX_AGE_SECONDS * 1000);
  // Inserted, or already there for the same contact (the no-op update returns the row); another
  // contact's row is left alone and nothing is returned.
  const { rows } = await sql<{ stamp_hash: string }>`
    INSERT INTO spent_form_stamp (stamp_hash, contact_hash, expires_at) VALUES (${stampHash}, ${contactHash}, ${expiresAt})
    ON CONFLICT (stamp_hash) DO UPDATE SET expires_at = spent_form_stamp.expires_at
    WHERE spent_form_stamp.contact_hash = excluded.contact_hash
    RETURNING stamp_hash`.execute(db);
  return rows.length > 0 ? 'ok' : 'bad_token';
}

/** Forgets spent stamps that are too old to be accepted anyway (hourly housekeeping). */
export async function pruneSpentFormStamps(db: Db, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('spent_form_stamp').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
