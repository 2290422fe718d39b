// The desks whose places are going unusually fast (places-going-fast.ts), among those the staff
// member may see: for the warning on the staff home. One query counts, per desk, the places taken
// in the last hour that still hold one: confirmed bookings and holds still waiting for their code.
// Bookings staff made themselves (by phone) are left out: the warning is about someone taking
// places online, and an operator booking a morning of calls knows what they did.
import type { Db } from '#/server/db/database.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { FAST_WINDOW_MINUTES, placesGoingFast, weeklyPlaces } from './places-going-fast.ts';

export interface FastDesk {
  slug: string;
  name: string;
  /** Places taken in the last hour (bookings and live holds). */
  taken: number;
  /** Places the desk offers in an ordinary week. */
  weekly: number;
}

/** Places taken per desk since `since` that still hold one (upcoming appointments only). */
async function recentlyTaken(db: Db, deskIds: number[], now: Date): Promise<Map<number, number>> {
  if (deskIds.length === 0) return new Map();
  const since = new Date(now.getTime() - FAST_WINDOW_MINUTES * 60000);
  const rows = await db
    .selectFrom('booking')
    .select(['desk_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('desk_id', 'in', deskIds)
    // Taken within the hour, for an appointment still to come (booking_agenda_idx: desk, start).
    .where('erased_at', 'is', null)
    .where('starts_at', '>', now)
    .where('created_at', '>', since)
    .where('source', '!=', 'staff')
    .where((eb) =>
      eb.or([eb('status', '=', 'confirmed'), eb.and([eb('status', '=', 'pending'), eb('hold_expires_at', '>', now)])]),
    )
    .groupBy('desk_id')
    .execute();
  return new Map(rows.map((r) => [r.desk_id, Number(r.n)]));
}

/** The desks of the actor's agenda whose places are going unusually fast, by name. */
export async function desksGoingFast(db: Db, actor: Actor, now: Date = new Date()): Promise<FastDesk[]> {
  const desks = (await listDesks(db)).filter((d) =>
    can(actor, { kind: 'desk.agenda', desk: { id: d.id, municipioId: d.municipioId } }),
  );
  const taken = await recentlyTaken(
    db,
    desks.map((d) => d.id),
    now,
  );
  return desks
    .map((d) => ({ slug: d.slug, name: d.name, taken: taken.get(d.id) ?? 0, weekly: weeklyPlaces(d) }))
    .filter((d) => placesGoingFast(d.taken, d.weekly))
    .sort((a, b) => a.name.localeCompare(b.name));
}
