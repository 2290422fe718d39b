// Retention: a donor's personal data goes `days` after the collection window; totals and items stay.
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';

/** Erases donors' personal data `days` after their collection window; totals and items stay. */
export async function eraseExpiredPledges(db: Db, now: Date = new Date(), days = 60): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86400000);
  return runInTransaction(db, async (trx) => {
    const erased = await trx
      .updateTable('pledge')
      .set({
        first_name: null,
        email: null,
        phone: null,
        manage_token_hash: null,
        submission_key: null,
        erased_at: now,
      })
      .where('erased_at', 'is', null)
      .where('collection_window_id', 'in', (eb) =>
        eb.selectFrom('collection_window').select('id').where('ends_at', '<', cutoff),
      )
      .returning('id')
      .execute();
    if (erased.length > 0)
      await trx
        .deleteFrom('outbox')
        .where(
          'pledge_id',
          'in',
          erased.map((e) => e.id),
        )
        .execute();
    return erased.length;
  });
}
