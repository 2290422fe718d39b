// Applies the seed data of db/seed/ (JSON, one file per subject): what the source material (the
// Comune's talk and the Municipio 8 flyers) says, plus sample values where it is silent. Sample rows
// carry is_sample = true (is_sample_address for the desks) and are labelled on the site. The dates of
// the events and the collection windows are the coming occurrences, computed here from `now`.
import type { Kysely } from 'kysely';
import type { Database } from './database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { nextOccurrence, romeToInstant } from '#/lib/time.ts';
import { slugify } from '#/lib/text.ts';
import { dayKey, isHoliday } from '#/lib/holidays.ts';
import municipi from '../../../db/seed/municipi.json' with { type: 'json' };
import organisations from '../../../db/seed/organisations.json' with { type: 'json' };
import deskData from '../../../db/seed/desks.json' with { type: 'json' };
import events from '../../../db/seed/events.json' with { type: 'json' };
import campaignData from '../../../db/seed/campaign.json' with { type: 'json' };
import { seedSeries } from '#/features/events/series-seed.ts';
import type { PriceKind } from './database.ts';

const json = (text: LocalizedText) => JSON.stringify(text);
/** "16:30" → [16, 30]. */
const hm = (time: string) => time.split(':').map(Number) as [number, number];

/** True when the database already holds the seed (the municipi are the first thing written). */
export async function isSeeded(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('municipio')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n) > 0;
}

/**
 * Writes the seed in one transaction. `now` decides the coming occurrence of the seeded dates.
 * Without `samples` (a production start, issue #14) only the city's nine municipi and their
 * quartieri are written: networks, desks, events and the campaign are the Comune's to enter, and
 * no sample value (nor its label) reaches the public site.
 */
export async function seedDatabase(
  db: Kysely<Database>,
  now: Date = new Date(),
  options: { samples: boolean } = { samples: true },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('municipio')
      .values(municipi.map((m) => ({ id: m.id, name: `Municipio ${m.id}`, quartieri: m.quartieri })))
      .execute();
    if (!options.samples) return;
    await trx
      .insertInto('network')
      .values(
        municipi.map((m) => ({
          municipio_id: m.id,
          slug: `rete-qubi-municipio-${m.id}`,
          name: `Rete QuBì Municipio ${m.id}`,
          // The material gives no addresses: coordinators' mailboxes are sample values.
          email: `rete.municipio${m.id}@qubi.example.org`,
          phone: `+39 02 0000 01${String(m.id).padStart(2, '0')}`,
          is_sample: true,
        })),
      )
      .execute();

    const orgRows = await trx
      .insertInto('organisation')
      .values(
        organisations.map((o) => ({
          slug: slugify(o.name),
          name: o.name,
          kind: 'third_sector' as const,
          municipio_id: o.municipio_id,
        })),
      )
      .returning(['id', 'name'])
      .execute();
    const orgId = (name: string) => {
      const row = orgRows.find((o) => o.name === name);
      if (!row) throw new Error(`db/seed: no organisation named ${name}`);
      return row.id;
    };

    // Municipio 8 desks: days, hours and phones from the flyer; addresses, slot length and capacity are sample values.
    for (const d of deskData.desks) {
      const desk = await trx
        .insertInto('desk')
        .values({
          slug: d.slug,
          municipio_id: 8,
          name: `Spazio QuBì ${d.area}`,
          area: d.area,
          address: d.address,
          phone: d.phone,
          services: deskData.services,
          description: json(deskData.description),
          slot_minutes: deskData.slot_minutes,
          capacity_per_slot: deskData.capacity_per_slot,
          is_sample_address: true,
          // What a family needs before going (#14): sample values until the networks confirm them.
          languages: d.languages,
          mediator_weekdays: d.mediator_weekdays,
          step_free: d.step_free,
          what_to_bring: json(deskData.what_to_bring),
          transit: d.transit,
          latitude: d.latitude,
          longitude: d.longitude,
          facts_are_sample: true,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('desk_opening_hours')
        .values(d.opening_hours.map((h) => ({ desk_id: desk.id, ...h })))
        .execute();
    }

    // Events, on the coming occurrence of their dates ("MM-DD", Rome time), their slug ending in its year.
    for (const e of events) {
      const [month, day] = e.date.split('-').map(Number) as [number, number];
      const { year } = nextOccurrence(month, day, now);
      const at = (time: string) => romeToInstant(year, month, day, ...hm(time));
      const event = await trx
        .insertInto('event')
        .values({
          slug: `${e.slug}-${year}`,
          municipio_id: e.municipio_id,
          title: json(e.title),
          summary: json(e.summary),
          description: json(e.description),
          venue: e.venue,
          address: e.address,
          transit_hint: json(e.transit_hint),
          price_note: json(e.price_note),
          starts_at: at(e.starts),
          ends_at: e.ends === null ? null : at(e.ends),
          // Seats families sign up for (#13); the party's 120 are a sample value.
          seats: 'seats' in e && typeof e.seats === 'number' ? e.seats : null,
          status: 'published',
          // Stops of an itinerary and the facts families filter on (#13).
          stops: JSON.stringify(e.stops),
          price_kind: e.facts.price_kind as PriceKind,
          age_bands: e.facts.age_bands,
          languages: e.facts.languages,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('event_organiser')
        .values(e.organisers.map((name) => ({ event_id: event.id, organisation_id: orgId(name) })))
        .execute();
    }

    // The networks' recurring activities (#13), at the Municipio 8 desks: sample days and times.
    await seedSeries(trx, now);

    // The zaino sospeso campaign. The flyer has no item list: the list and targets are sample values.
    const { items, drop_off: dropOff, ...campaignRow } = campaignData;
    const campaign = await trx
      .insertInto('campaign')
      .values({
        slug: campaignRow.slug,
        title: json(campaignRow.title),
        summary: json(campaignRow.summary),
        description: json(campaignRow.description),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('campaign_item')
      .values(
        items.map((item, i) => ({
          campaign_id: campaign.id,
          slug: item.slug,
          name: json(item.name),
          target: item.target,
          position: i,
          is_sample: true,
        })),
      )
      .execute();

    // Drop-off points: the desks, during their opening hours in the coming weeks (sample), never on a
    // public holiday, when the desks are closed (8 and 25 December, 1 January were offered: issue #15).
    for (const d of deskData.desks) {
      const point = await trx
        .insertInto('drop_off_point')
        .values({
          campaign_id: campaign.id,
          slug: d.slug,
          name: `Spazio QuBì ${d.area}`,
          address: d.address,
          municipio_id: 8,
          notes: json(dropOff.notes),
          is_sample: true,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const windows = d.opening_hours.flatMap((h) =>
        upcomingWeekdays(h.weekday, now, dropOff.weeks)
          .filter((day) => !isHoliday(dayKey(day.year, day.month, day.day)))
          .map((day) => ({
            drop_off_point_id: point.id,
            starts_at: romeToInstant(day.year, day.month, day.day, ...hm(h.opens)),
            ends_at: romeToInstant(day.year, day.month, day.day, ...hm(h.closes)),
          })),
      );
      await trx.insertInto('collection_window').values(windows).execute();
    }
  });
}

/** The next `count` dates (from tomorrow) that fall on an ISO weekday, as Rome calendar days. */
function upcomingWeekdays(weekday: number, now: Date, count: number): { year: number; month: number; day: number }[] {
  const result: { year: number; month: number; day: number }[] = [];
  // Noon UTC keeps the calendar day stable whatever the DST offset.
  const cursor = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12));
  while (result.length < count) {
    cursor.setUTCDate(cursor.getUTCDate() + 1);
    const isoDay = ((cursor.getUTCDay() + 6) % 7) + 1;
    if (isoDay === weekday)
      result.push({ year: cursor.getUTCFullYear(), month: cursor.getUTCMonth() + 1, day: cursor.getUTCDate() });
  }
  return result;
}
