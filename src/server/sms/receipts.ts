// Delivery receipts (deliver_sm with esm_class "MC delivery receipt"): the SMS centre tells what
// became of a message it accepted. Its text follows the de-facto format of SMPP 3.4 appendix B,
// "id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:…",
// and many centres also send the receipted_message_id and message_state TLVs.
import type { Db } from '#/server/db/database.ts';

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

/** Intermediate states (ENROUTE, ACCEPTD) change nothing; a final one marks the message. */
export async function recordReceipt(
  db: Db,
  receipt: { providerMessageId: string; state: string; delivered: boolean },
  log: (line: string) => void = console.log,
  attempts = 5,
): Promise<void> {
  if (!receipt.delivered && !FINAL_FAILURES.has(receipt.state)) return;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const updated = await db
      .updateTable('outbox')
      .set(
        receipt.delivered
          ? { status: 'delivered', delivered_at: new Date() }
          : { status: 'undelivered', last_error: `receipt: ${receipt.state}` },
      )
      .where('channel', '=', 'sms')
      .where('provider_message_id', '=', receipt.providerMessageId)
      .where('status', 'in', ['sent', 'sending', 'delivered', 'undelivered'])
      .returning('id')
      .execute();
    if (updated.length > 0) return;
    // A fast network's receipt can overtake the row's own update after submit_sm_resp: look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
  log(`[sms] receipt for an unknown message (${receipt.state})`);
}
