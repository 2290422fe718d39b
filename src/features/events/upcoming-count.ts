// How many entries the public list of upcoming events has (listUpcomingEvents' rule: the one-off
// events not over, and each recurring activity once while it has a published date not over), for
// the sitemap's parts (issue #14: 10,000 events at city scale). Two counts on the same indexes.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';

export async function countUpcomingEvents(db: Db, from: Date): Promise<number> {
  const notOver = sql<Date>`coalesce(event.ends_at, event.starts_at)`;
  const [oneOff, series] = await Promise.all([
    db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('event.series_id', 'is', null)
      .where('event.status', 'in', ['published', 'cancelled'])
      .where(notOver, '>=', from)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('event_series as s')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('event')
            .select('event.id')
            .whereRef('event.series_id', '=', 's.id')
            .where('event.status', '=', 'published')
            .where('event.starts_at', '>', new Date(from.getTime() - 86400000))
            .where(notOver, '>=', from),
        ),
      )
      .executeTakeFirstOrThrow(),
  ]);
  return Number(oneOff.n) + Number(series.n);
}
