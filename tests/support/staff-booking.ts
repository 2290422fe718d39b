// A desk booking made as staff make one (by phone or at the counter: no code step, confirmed at
// once), for "Amina" in Italian with no contact unless told otherwise; a refusal throws, since the
// tests that use it need the booking to exist.
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';
import { createBooking, type BookingSummary, type NewBooking } from '#/features/booking/create-booking.ts';

export async function bookedByStaff(
  db: Kysely<Database>,
  booking: Pick<NewBooking, 'desk' | 'start'> & Partial<NewBooking>,
  now: Date,
): Promise<BookingSummary> {
  const outcome = await createBooking(
    db,
    {
      firstName: 'Amina',
      email: null,
      phone: null,
      topic: null,
      note: null,
      locale: 'it',
      submissionKey: null,
      source: 'staff',
      ...booking,
    },
    now,
  );
  if (!outcome.ok) throw new Error(`not booked: ${outcome.reason}`);
  return outcome.booking;
}
