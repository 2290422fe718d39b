// A hold confirmed by its code, for every kind: the row read and locked first (so a confirmation
// and a release of the same hold never both happen), the shared gate (held-code-check.ts), then
// ONE statement that confirms it and drops its unsent code message; the feature then queues what a
// confirmed row of its kind gets (its confirmation, reminder, offers), in the same transaction.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { checkHeldCode } from './held-code-check.ts';
import { codeColumnOf, type ConfirmOutcome, type HoldKind } from './hold-kind.ts';

/**
 * The confirming statement: the row to the kind's confirmed state, out of its time (`set`: what
 * else the kind writes, e.g. its manage link's hash), and its code message gone if it was not sent
 * yet (no use now). A sent one stays, without its code (SPENT_PAYLOAD): the SMS centre's delivery
 * receipt, which may come after the family typed the code, finds its row (receipts.ts);
 * `spendCode`: the code too, for a caller whose gate left it (judgeTry's `spentByCaller`).
 */
export async function markConfirmed(
  trx: Db,
  kind: HoldKind,
  id: number,
  set: RawBuilder<unknown> | undefined,
  options: { spendCode?: boolean } = {},
): Promise<void> {
  await sql`WITH ${confirmingCtes(kind, id, set, options)} SELECT count(*) FROM confirmed`.execute(trx);
}

/**
 * markConfirmed's writes as CTEs (`confirmed`, returning the row's id), for a statement that also
 * queues what the confirmed row gets (its confirmation and reminder: enqueueMessages' `alongside`),
 * one round trip less on the write path of every confirmation.
 */
export function confirmingCtes(
  kind: HoldKind,
  id: number,
  set: RawBuilder<unknown> | undefined,
  options: { spendCode?: boolean } = {},
): RawBuilder<unknown> {
  const column = sql.ref(codeColumnOf(kind));
  return sql`
    confirmed AS (
      UPDATE ${sql.table(kind.table)}
         SET status = ${sql.lit(kind.states.confirmed)}, hold_expires_at = NULL${set ? sql`, ${set}` : sql``}
       WHERE id = ${id}::int
      RETURNING id
    ),${options.spendCode ? sql` spent AS (DELETE FROM verification_code WHERE ${column} IN (SELECT id FROM confirmed)),` : sql``}
    code_message AS (
      DELETE FROM outbox
       WHERE ${column} IN (SELECT id FROM confirmed) AND kind = 'verification_code' AND status = 'pending'
    )`;
}

/**
 * A hold whose code was right (and counted by the statement that read it, so the code is spent
 * here): confirmed by the statement that queues what it gets — `queue` runs the confirming CTEs
 * alongside its messages and answers whether it queued any — or, with no contact to send to, by a
 * statement of its own. One round trip on the write path of every confirmation.
 */
export async function confirmWithMessages(
  trx: Db,
  kind: HoldKind,
  id: number,
  set: RawBuilder<unknown>,
  queue: (confirming: RawBuilder<unknown>) => Promise<boolean>,
): Promise<void> {
  if (!(await queue(confirmingCtes(kind, id, set, { spendCode: true }))))
    await markConfirmed(trx, kind, id, set, { spendCode: true });
}

/**
 * The code typed for a hold: `readLocked` reads its row FOR UPDATE; a row confirmed before answers
 * `already` (nothing written); a right code runs `confirm` (markConfirmed and what follows) in the
 * same transaction. Anything else answers why not (gone, expired, not_pending, wrong, …).
 */
export async function confirmHeld<Held extends { status: string; hold_expires_at: Date | null }, Confirmed>(
  db: Db,
  kind: HoldKind,
  id: number,
  code: string | undefined,
  now: Date,
  steps: {
    readLocked: (trx: Db) => Promise<Held | undefined>;
    already: (held: Held) => Confirmed;
    confirm: (trx: Db, held: Held) => Promise<Confirmed>;
  },
): Promise<ConfirmOutcome<Confirmed>> {
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    const found = await steps.readLocked(trx);
    const gate = await checkHeldCode(trx, found, kind.states, kind.subject(id), code, secret, now);
    if (!gate.ok) return gate;
    return gate.alreadyConfirmed ? steps.already(gate.held) : steps.confirm(trx, gate.held);
  });
}
