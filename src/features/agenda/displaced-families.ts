// The hook where families whose appointment a closed day cancelled could be put on the desk's
// waiting list. The waiting list is being built at the same time (issue #15, another branch): when
// it lands, its "add these families" function is called here, inside closeDay's transaction, so
// that either the day is closed and the families are on the list, or nothing happened.

import type { Db } from '#/server/db/database.ts';

/** A booking the closure cancelled: enough to find the family again, nothing more. */
export interface DisplacedBooking {
  bookingId: number;
  reference: string;
  start: Date;
  locale: string;
}

/**
 * Called by closeDay (close-day.ts) in its transaction with every booking it cancelled. Today it
 * does nothing: each family is told by the cancellation message, with a link to choose another
 * time. WAITING-LIST HOOK: put them on the desk's waiting list here.
 */
export async function offerWaitingList(
  _trx: Db,
  _desk: { id: number },
  _bookings: readonly DisplacedBooking[],
): Promise<void> {}
