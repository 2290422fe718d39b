// Retention: a booking's personal data goes 30 days after its appointment (run by the worker's
// housekeeping); the row stays, without them, for statistics.
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';

/** What erasing a booking's personal data writes: shared by retention and the GDPR desk. */
export function erasedBookingFields(now: Date) {
  return {
    first_name: null,
    email: null,
    phone: null,
    note: null,
    manage_token_hash: null,
    submission_key: null,
    erased_at: now,
  };
}

/**
 * Erases the personal data of bookings whose appointment ended more than `days` ago (and their
 * messages). The booking row, its time and desk stay for statistics.
 */
export async function eraseExpiredBookings(db: Db, now: Date = new Date(), days = 30): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86400000);
  return runInTransaction(db, async (trx) => {
    const erased = await trx
      .updateTable('booking')
      .set(erasedBookingFields(now))
      .where('ends_at', '<', cutoff)
      .where('erased_at', 'is', null)
      .returning('id')
      .execute();
    if (erased.length > 0) {
      await trx
        .deleteFrom('outbox')
        .where(
          'booking_id',
          'in',
          erased.map((e) => e.id),
        )
        .execute();
    }
    return erased.length;
  });
}
