// What every code step shows of a hold, whatever it holds: its state and time, where its code went
// and how many tries and sends it has used; nothing else personal. Each feature's view adds its own
// (reference, desk or event, seats) to these.
import type { Db } from '#/server/db/database.ts';
import type { CodeChannel } from '#/features/verification/codes.ts';
import type { HoldKind } from './hold-kind.ts';

export interface HeldCodeView {
  status: string;
  expiresAt: Date | null;
  channel: CodeChannel | null;
  phone: string | null;
  email: string | null;
  attempts: number;
  sends: number;
  lastSentAt: Date | null;
}

/** The code's columns, its row joined as `v` (a hold without a code row reads nulls). */
export const CODE_COLUMNS = ['v.channel', 'v.attempts', 'v.sends', 'v.last_sent_at'] as const;

/** The held row's and its code's columns, as the view names them. */
export function heldCodeView(row: {
  status: string;
  hold_expires_at: Date | null;
  phone: string | null;
  email: string | null;
  channel: CodeChannel | null;
  attempts: number | null;
  sends: number | null;
  last_sent_at: Date | null;
}): HeldCodeView {
  return {
    status: row.status,
    expiresAt: row.hold_expires_at,
    channel: row.channel,
    phone: row.phone,
    email: row.email,
    attempts: row.attempts ?? 0,
    sends: row.sends ?? 0,
    lastSentAt: row.last_sent_at,
  };
}

/** The id of the held row a reference names (QB-…, ZS-…): the API's confirm and status calls. */
export async function heldIdByReference(db: Db, kind: HoldKind, reference: string): Promise<number | undefined> {
  const row = await db.selectFrom(kind.table).select('id').where('reference', '=', reference).executeTakeFirst();
  return row?.id;
}
