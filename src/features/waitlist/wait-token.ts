// The status link of a waiting-list entry (issue #13): the only key to its page, where the family
// sees its position and accepts or declines an offer. Derived from the server's secret, the entry's
// id and reference (HMAC), so every message can carry it again without storing it anywhere; only
// its hash is kept (wait_entry.token_hash) to find the entry. 20 characters: short enough for an SMS.
import { createHmac } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db, WaitEntryTable } from '#/server/db/database.ts';
import { hashToken, insertUnderFreshReference } from '#/features/booking/reference.ts';

export function waitToken(secret: string, entry: { id: number; reference: string }): string {
  return createHmac('sha256', secret)
    .update(`waitlist:${entry.id}:${entry.reference}`)
    .digest('base64url')
    .slice(0, 20);
}

export function waitTokenHash(secret: string, entry: { id: number; reference: string }): string {
  return hashToken(waitToken(secret, entry));
}

/** A token as we issue them; anything else matches nothing and is not looked up. */
export const WAIT_TOKEN = /^[A-Za-z0-9_-]{20}$/;

/**
 * A new entry with its fresh reference, then its link token's hash (the token is derived from the
 * id the insert gives, so it takes a second statement). Joining an event list or a desk list alike.
 */
export async function insertWaitEntry(
  trx: Db,
  secret: string,
  values: Omit<Insertable<WaitEntryTable>, 'reference' | 'token_hash'>,
): Promise<{ id: number; reference: string }> {
  const row = await insertUnderFreshReference('QW', (reference) =>
    trx
      .insertInto('wait_entry')
      .values({ ...values, reference })
      .onConflict((oc) => oc.column('reference').doNothing())
      .returning(['id', 'reference'])
      .executeTakeFirst(),
  );
  await trx
    .updateTable('wait_entry')
    .set({ token_hash: waitTokenHash(secret, row) })
    .where('id', '=', row.id)
    .execute();
  return row;
}
