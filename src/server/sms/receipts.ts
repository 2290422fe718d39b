// Delivery receipts (deliver_sm with esm_class "MC delivery receipt"): the SMS centre tells what
// became of a message it accepted. Its text follows the de-facto format of SMPP 3.4 appendix B,
// "id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:…",
// and many centres also send the receipted_message_id and message_state TLVs.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { PLANNED_EACH_TIME } from '#/server/db/prepared-statements.ts';
import { gatherInTurn } from '#/lib/gather.ts';

/** SMPP message_state values (TLV 0x0427) by name, as the receipt's `stat:` writes them. */
const STATES: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};
const FINAL_FAILURES = new Set(['EXPIRED', 'DELETED', 'UNDELIV', 'REJECTD', 'UNKNOWN']);

export interface ParsedReceipt {
  providerMessageId: string;
  state: string;
  delivered: boolean;
}

/** Reads a receipt from its TLVs or its text; undefined when neither names a message. */
export function parseReceipt(text: string, tlv: { receiptedMessageId?: string; messageState?: number } = {}) {
  const id = tlv.receiptedMessageId ?? /\bid:(\S+)/i.exec(text)?.[1];
  if (!id) return undefined;
  const state =
    (tlv.messageState !== undefined ? STATES[tlv.messageState] : undefined) ??
    /\bstat:([A-Z]+)/i.exec(text)?.[1]?.toUpperCase() ??
    'UNKNOWN';
  return { providerMessageId: id, state, delivered: state === 'DELIVRD' } satisfies ParsedReceipt;
}

type Receipt = ParsedReceipt;

/**
 * Marks the messages of final receipts (delivered or failed), several in one statement; answers, for
 * each, whether its row was found. Intermediate states (ENROUTE, ACCEPTD) change nothing.
 */
async function markReceipts(db: Db, receipts: readonly Receipt[], at: Date): Promise<boolean[]> {
  const final = receipts.filter((r) => r.delivered || FINAL_FAILURES.has(r.state));
  if (final.length === 0) return receipts.map(() => true);
  // One row per message, its last receipt: an UPDATE … FROM with two rows for one message would
  // apply either of them.
  const last = [...new Map(final.map((r) => [r.providerMessageId, r])).values()];
  const found = await receiptStatement(last, at).execute(db);
  const ids = new Set(found.rows.map((r) => r.provider_message_id));
  return receipts.map((r) => !final.includes(r) || ids.has(r.providerMessageId));
}

/**
 * The UPDATE of markReceipts, not run (the tests read its plan). `provider_message_id IN (…)`, a
 * condition on the outbox's own index beside the join, lets the planner find the messages through
 * outbox_provider_message_idx whatever the statistics say of the other conditions: statistics taken
 * while the messages were still queued (status 'pending', no provider id yet) made the join alone
 * read the whole outbox once per receipt (tests/integration/query-plans.test.ts). It is planned at
 * each run on PostgreSQL (PLANNED_EACH_TIME): there a plan kept from a fresh database's first
 * bursts, when the outbox was small, read the whole outbox at every burst once it had grown (seen
 * in the bench: 10–50 ms a burst at 8,500 rows, until autovacuum analyzed it). On the embedded
 * database src/server/db/embedded-statistics.ts analyzes the grown outbox, which re-plans it.
 */
export function receiptStatement(receipts: readonly Receipt[], at: Date) {
  const rows = receipts.map((r) => sql`(${r.providerMessageId}::text, ${r.delivered}::boolean, ${r.state}::text)`);
  const ids = receipts.map((r) => sql`${r.providerMessageId}::text`);
  return sql<{ provider_message_id: string }>`${sql.raw(PLANNED_EACH_TIME)}
    UPDATE outbox
       SET status = CASE WHEN v.delivered THEN 'delivered' ELSE 'undelivered' END,
           delivered_at = CASE WHEN v.delivered THEN ${at}::timestamptz ELSE outbox.delivered_at END,
           last_error = CASE WHEN v.delivered THEN outbox.last_error ELSE 'receipt: ' || v.state END
      FROM (VALUES ${sql.join(rows)}) AS v(provider_message_id, delivered, state)
     WHERE outbox.provider_message_id IN (${sql.join(ids)})
       AND outbox.provider_message_id = v.provider_message_id
       AND outbox.channel = 'sms' AND outbox.status IN ('sent', 'sending', 'delivered', 'undelivered')
    RETURNING outbox.provider_message_id`;
}

/**
 * Records each receipt on its message (intermediate states change nothing, a final one marks it);
 * those that arrive in the same turn of the event loop, and those that arrive while the statement
 * before is under way, in one statement (gather.ts, 'io-one-at-a-time'): an SMS centre sends them
 * in a stream, one per message a moment after its submit, and nobody waits for them.
 */
export function receiptRecorder(
  db: Db,
  log: (line: string) => void = console.log,
): (receipt: Receipt) => Promise<void> {
  const mark = gatherInTurn((receipts: Receipt[]) => markReceipts(db, receipts, new Date()), 'io-one-at-a-time');
  return async (receipt) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      if (await mark(receipt)) return;
      // A fast network's receipt can overtake the row's own update after submit_sm_resp: look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
    log(`[sms] receipt for an unknown message (${receipt.state})`);
  };
}
