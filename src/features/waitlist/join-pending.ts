// The one way a family joins a waiting list (an event's or a desk's, issue #13): a form sent twice
// finds its first entry by the submission key; otherwise, in one transaction, the list's own checks
// and the pending entry's row (`write`), then the code to its contact. An entry is pending until
// the code confirms it (wait-holds.ts). A refusal is thrown from `write` as a JoinRefused.
import type { Db } from '#/server/db/database.ts';
import { runInTransaction, isUniqueViolation } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { WAIT_HOLD_MINUTES, sendJoinCode } from './wait-holds.ts';

/** A pending entry: its id (for the code step), until when its code lasts, and whether the form came twice. */
export type JoinOutcome<R extends string> =
  { ok: true; id: number; reference: string; expiresAt: Date; duplicate: boolean } | { ok: false; reason: R };

export class JoinRefused<R extends string> extends Error {
  readonly reason: R;
  constructor(reason: R) {
    super(reason);
    this.reason = reason;
  }
}

type Contact = { phone: string | null; email: string | null; locale: string };

export async function joinPending<R extends string>(
  db: Db,
  list: { column: 'event_id' | 'desk_id'; id: number },
  options: { submissionKey: string | null; now: Date; contact: Contact },
  write: (trx: Db, secret: string, expiresAt: Date) => Promise<{ id: number; reference: string }>,
): Promise<JoinOutcome<R>> {
  const { submissionKey, now } = options;
  const earlier = async (): Promise<JoinOutcome<R> | undefined> => {
    if (!submissionKey) return undefined;
    const row = await db
      .selectFrom('wait_entry')
      .select(['id', 'reference', 'event_id', 'desk_id', 'hold_expires_at'])
      .where('submission_key', '=', submissionKey)
      .executeTakeFirst();
    return row && row[list.column] === list.id
      ? { ok: true, id: row.id, reference: row.reference, expiresAt: row.hold_expires_at ?? now, duplicate: true }
      : undefined;
  };
  const found = await earlier();
  if (found) return found;
  const secret = await getServerSecret(db);
  const expiresAt = new Date(now.getTime() + WAIT_HOLD_MINUTES * 60_000);
  try {
    const entry = await runInTransaction(db, async (trx) => {
      const row = await write(trx, secret, expiresAt);
      await sendJoinCode(trx, secret, { ...row, ...options.contact }, expiresAt, now);
      return row;
    });
    return { ok: true, id: entry.id, reference: entry.reference, expiresAt, duplicate: false };
  } catch (error) {
    if (isUniqueViolation(error, 'wait_entry_submission_key_key')) {
      const again = await earlier();
      if (again) return again;
    }
    if (error instanceof JoinRefused) return { ok: false, reason: error.reason as R };
    throw error;
  }
}
