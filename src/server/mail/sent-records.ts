// Records SMS as sent on their outbox rows, several in one statement. The SMS of a claimed batch go
// out side by side and finish at nearly the same moment; one UPDATE each (on the embedded database,
// one commit each) was a fixed cost of every code and confirmation sent. Each record keeps the
// claim's guard (status 'sending' and this attempt), as finishMessage does.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { gatherInTurn } from '#/lib/gather.ts';

export interface SentRecord {
  id: number;
  /** The attempt that claimed the row: a worker that outlived its lease records nothing. */
  attempts: number;
  sentAt: Date;
  encoding: 'gsm7' | 'ucs2';
  segments: number;
  providerMessageId: string | null;
}

/** A sent message needs its secrets no more: the links' tokens and codes leave the table with it. */
export const SPENT_PAYLOAD = sql<string>`payload - 'manageToken' - 'confirmToken' - 'withdrawToken' - 'token' - 'code'`;

export async function recordSent(db: Db, records: readonly SentRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map(
    (r) =>
      sql`(${r.id}::int, ${r.attempts}::int, ${r.sentAt}::timestamptz, ${r.encoding}::text, ${r.segments}::smallint, ${r.providerMessageId}::text)`,
  );
  await sql`
    UPDATE outbox
       SET status = 'sent', sent_at = v.sent_at, last_error = NULL, locked_until = NULL, encoding = v.encoding,
           segments = v.segments, provider_message_id = v.provider_message_id, payload = ${SPENT_PAYLOAD}
      FROM (VALUES ${sql.join(rows)}) AS v(id, attempts, sent_at, encoding, segments, provider_message_id)
     WHERE outbox.id = v.id AND outbox.status = 'sending' AND outbox.attempts = v.attempts`.execute(db);
}

/**
 * recordSent for the SMS that finish in the same turn of the event loop, and those that finish while
 * the statement before is under way, in one statement (gather.ts, 'io-one-at-a-time').
 */
export function sentRecorder(db: Db): (record: SentRecord) => Promise<void> {
  return gatherInTurn(async (records: SentRecord[]) => {
    await recordSent(db, records);
    return records.map(() => undefined);
  }, 'io-one-at-a-time');
}
