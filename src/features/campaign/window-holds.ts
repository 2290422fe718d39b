// Pending pledges (holds waiting for their code, PLEDGE_HOLD_MINUTES at most) on a collection window
// a coordinator moves or cancels (issue #15). Decision: the hold is released at once, its items given
// back, and the donor is told on the contact the code went to, in their language, that the pledge
// was not recorded because the day changed (naming the new time when it moved) and that they can
// pledge again. Why: the donor has not committed yet; entering the code afterwards would bind them to
// a day they did not choose, or to a cancelled one, and a notice sent now could not reach a pledge
// that does not exist yet (the pledged donors' notice, window-notice.ts, needs a confirmed pledge and
// its manage link). The code page then says the hold is no longer valid, as for any lapsed hold.
// docs/architecture.md, "Collection windows".
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { flipHolds } from './pledge-holds.ts';
import { applyQuantityChanges } from './pledge-quantities.ts';
import { queueWindowNotice, type WindowNotice } from './window-notice.ts';

/**
 * Releases every pending pledge of the window and queues its donor's message, in the caller's
 * transaction (the window's change). The contact is read before the release erases it; the message
 * is bound to no pledge row (the release drops the messages of its pledges). Returns how many
 * donors were written to.
 */
export async function releaseWindowHolds(
  trx: Db,
  windowId: number,
  notice: Omit<WindowNotice, 'reference' | 'released'>,
  now: Date,
): Promise<number> {
  const held = await trx
    .selectFrom('pledge')
    .select(['email', 'phone', 'locale'])
    .where('collection_window_id', '=', windowId)
    .where('status', '=', 'pending')
    // A hold already lapsed is released too, but its donor is not written to: it was over anyway.
    .where('hold_expires_at', '>', now)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (held.length === 0) return 0;
  const { givenBack } = await flipHolds(trx, sql`collection_window_id = ${windowId}`, now);
  await applyQuantityChanges(trx, givenBack, { share: 1 });
  let told = 0;
  for (const p of held) if (await queueWindowNotice(trx, p, { ...notice, reference: '', released: true })) told++;
  return told;
}
