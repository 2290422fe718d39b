// Seed of the recurring activities (db/seed/series.json): the activities the source material lists
// for the networks, as series at the Municipio 8 desks, from the seeding day for `weeks_ahead`
// weeks. Days, times and seats are sample values (times_are_sample), said so on the pages.
import type { Db, PriceKind, SeriesFrequency } from '#/server/db/database.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import seed from '../../../db/seed/series.json' with { type: 'json' };
import { createSeries } from './series.ts';

export async function seedSeries(trx: Db, now: Date): Promise<void> {
  const firstDay = romeDateString(now);
  const untilDay = addDays(firstDay, seed.weeks_ahead * 7);
  for (const s of seed.series) {
    const desk = await trx
      .selectFrom('desk')
      .select(['id', 'name', 'address'])
      .where('slug', '=', s.desk)
      .executeTakeFirstOrThrow();
    const json = (value: unknown) => JSON.stringify(value);
    await createSeries(trx, {
      slug: s.slug,
      deskId: desk.id,
      timesAreSample: true,
      rule: {
        frequency: s.frequency as SeriesFrequency,
        weekday: s.weekday,
        weekOfMonth: s.week_of_month,
        firstDay,
        untilDay,
        startsTime: s.starts,
        endsTime: s.ends,
      },
      organisationIds: [],
      template: {
        municipio_id: 8,
        title: json(s.title),
        summary: json(s.summary),
        description: json(s.description),
        venue: desk.name,
        address: desk.address,
        transit_hint: null,
        price_note: null,
        status: 'published',
        seats: s.seats,
        age_bands: s.age_bands,
        price_kind: s.price_kind as PriceKind,
        price_cents: null,
        step_free: s.step_free,
        lis: s.lis,
        childcare: s.childcare,
        languages: s.languages,
      },
    });
  }
}
