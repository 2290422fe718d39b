// "Median days to the first free slot": once a day (the first hourly run of the day) each desk's
// first free place is looked up as a family would see it now (slot-availability.ts), and how many
// days ahead it is stays in figure_wait_sample. No free place within the four weeks looked at is
// stored as NULL and counted as NO_PLACE_DAYS in the median (figures-query.ts).
import type { Db } from '#/server/db/database.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { romeDateString } from '#/lib/time.ts';

/** A desk with no free place in the four weeks looked at waits at least this long. */
export const NO_PLACE_DAYS = 29;

/** Samples the desks not sampled yet today; returns how many were sampled. */
export async function sampleFirstFreeSlots(db: Db, now: Date = new Date()): Promise<number> {
  const day = romeDateString(now);
  const done = new Set(
    (await db.selectFrom('figure_wait_sample').select('desk_id').where('day', '=', day).execute()).map(
      (r) => r.desk_id,
    ),
  );
  let sampled = 0;
  for (const desk of await listDesks(db)) {
    if (done.has(desk.id)) continue;
    const [first] = await nextFreeSlots(db, desk, now, now, 1);
    const days = first ? Math.round(((first.start.getTime() - now.getTime()) / 86400000) * 10) / 10 : null;
    await db
      .insertInto('figure_wait_sample')
      .values({ day, desk_id: desk.id, days })
      .onConflict((oc) => oc.doNothing())
      .execute();
    sampled++;
  }
  return sampled;
}
