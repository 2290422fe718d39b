// A desk's day closed with families booked on it, as "Close this day" leaves it (issue #15): the
// first day with free times at least two days ahead, `count` bookings on it in Arabic by phone,
// closed by an operator. Returns the short links their closure SMS carry (one a booking).
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { closeDay } from '#/features/agenda/close-day.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';

export async function closedDayTokens(db: Kysely<Database>, count: number, deskSlug = 'quarto-oggiaro') {
  const now = new Date();
  const desk = (await getDeskBySlug(db, deskSlug))!;
  const today = romeDateString(now);
  const slots = await listDeskSlots(db, desk, addDays(today, 2), addDays(today, 40), now);
  const day = romeDateString(slots[0]!.start);
  const onDay = slots.filter((s) => romeDateString(s.start) === day).slice(0, count);
  for (const [i, slot] of onDay.entries()) {
    const made = await createBooking(
      db,
      {
        desk,
        start: slot.start,
        firstName: 'Fatima',
        email: null,
        phone: `+39333222000${i}`,
        topic: null,
        note: null,
        locale: 'ar',
        submissionKey: null,
        source: 'staff',
      },
      now,
    );
    if (!made.ok) throw new Error(`not booked: ${made.reason}`);
  }
  const actorUserId = await createUser(db, {
    email: `op.chiusura.${deskSlug}@example.org`,
    displayName: 'Operatrice',
    role: 'desk_operator',
    desks: [desk.id],
  });
  const closed = await closeDay(db, desk.id, { day, from: '', until: '', reason: '' }, { actorUserId, now });
  if (!closed.ok || closed.cancelled !== count) throw new Error('day not closed');
  const sms = await db
    .selectFrom('outbox')
    .select('payload')
    .where('kind', '=', 'booking_cancelled')
    .where('channel', '=', 'sms')
    .orderBy('id')
    .execute();
  return sms.map((m) => String(m.payload.manageToken));
}
