import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { isSeeded, seedDatabase } from '#/server/db/seed.ts';
import { migrateToLatest } from '#/server/db/migrate.ts';
import { toRomeIso } from '#/lib/time.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, new Date('2026-11-24T10:00:00Z'));
});
afterAll(() => t.close());

describe('migrations and seed', () => {
  it('migrating again is a no-op', async () => {
    const result = await migrateToLatest(t.db);
    expect(result.results).toEqual([]);
    expect(await isSeeded(t.db)).toBe(true);
  });

  it('has the nine municipal networks', async () => {
    const networks = await t.db
      .selectFrom('network')
      .select(['municipio_id', 'name'])
      .orderBy('municipio_id')
      .execute();
    expect(networks.map((n) => n.municipio_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(networks[7]!.name).toBe('Rete QuBì Municipio 8');
  });

  it('has the three Municipio 8 desks with the days, hours and phones of the flyer', async () => {
    const rows = await t.db
      .selectFrom('desk')
      .innerJoin('desk_opening_hours as h', 'h.desk_id', 'desk.id')
      .select(['desk.area', 'desk.phone', 'h.weekday', 'h.opens', 'h.closes'])
      .orderBy('h.weekday')
      .execute();
    expect(rows.map((r) => [r.area, r.phone, r.weekday, r.opens.slice(0, 5), r.closes.slice(0, 5)])).toEqual([
      ['Quarto Oggiaro', '351 681 8198', 2, '10:00', '13:00'],
      ['Gallaratese', '345 155 2523', 3, '14:00', '17:00'],
      ['Villapizzone', '333 268 3456', 5, '10:00', '13:00'],
    ]);
  });

  it('puts both Christmas events on their coming dates, in Rome time', async () => {
    const events = await t.db
      .selectFrom('event')
      .select(['slug', 'starts_at', 'ends_at', 'venue'])
      // The one-off events; the recurring activities are the next test's.
      .where('series_id', 'is', null)
      .orderBy('starts_at')
      .execute();
    expect(events.map((e) => toRomeIso(e.starts_at))).toEqual([
      '2026-12-17T16:30:00+01:00',
      '2026-12-22T14:30:00+01:00',
    ]);
    expect(toRomeIso(events[1]!.ends_at!)).toBe('2026-12-22T17:30:00+01:00');
    expect(events.map((e) => e.venue)).toEqual(['Comunità Oklahoma', 'La Casa dei Giochi']);
    const partners = await t.db
      .selectFrom('event_organiser')
      .innerJoin('organisation', 'organisation.id', 'event_organiser.organisation_id')
      .innerJoin('event', 'event.id', 'event_organiser.event_id')
      .where('event.venue', '=', 'La Casa dei Giochi')
      .select('organisation.name')
      .execute();
    expect(partners).toHaveLength(10);
    expect(partners.map((p) => p.name)).toContain('Fondazione Francesca Rava');
  });

  it('gives the 17 December party its two stops and the 22 December one its 120 seats', async () => {
    const events = await t.db
      .selectFrom('event')
      .select(['venue', 'stops', 'seats', 'price_kind'])
      .where('series_id', 'is', null)
      .orderBy('starts_at')
      .execute();
    expect(events[0]!.stops.map((s) => [s.time, s.place])).toEqual([
      ['16:30', 'Agorà delle Torri Bianche'],
      ['16:45', 'Comunità Oklahoma'],
    ]);
    expect(events.map((e) => [e.venue, e.seats, e.price_kind])).toEqual([
      ['Comunità Oklahoma', null, 'free'],
      ['La Casa dei Giochi', 120, 'free_offer'],
    ]);
  });

  it('has the networks’ five activities as series at the Municipio 8 desks, sample times, no holiday', async () => {
    const series = await t.db
      .selectFrom('event_series')
      .innerJoin('desk', 'desk.id', 'event_series.desk_id')
      .select([
        'event_series.id',
        'event_series.slug',
        'event_series.frequency',
        'event_series.times_are_sample',
        'desk.municipio_id',
      ])
      .orderBy('event_series.id')
      .execute();
    expect(series.map((s) => [s.slug, s.frequency])).toEqual([
      ['spazio-mamma-bambino-quarto-oggiaro', 'weekly'],
      ['uscite-in-natura-gallaratese', 'monthly'],
      ['biblioteca-di-quartiere-villapizzone', 'weekly'],
      ['laboratori-culturali-0-6-gallaratese', 'fortnightly'],
      ['sportello-scuola-infanzia-quarto-oggiaro', 'weekly'],
    ]);
    expect(series.every((s) => s.times_are_sample && s.municipio_id === 8)).toBe(true);
    const dates = await t.db
      .selectFrom('event')
      .select(['series_id', 'occurrence_date', 'starts_at'])
      .where('series_id', '=', series[0]!.id)
      .orderBy('starts_at')
      .execute();
    // Seeded on Tuesday 24 November 2026: Tuesdays at 10:00 for 26 weeks, less 8 December (Immacolata).
    expect(dates).toHaveLength(26);
    expect(dates.map((d) => d.occurrence_date)).not.toContain('2026-12-08');
    expect(dates.every((d) => toRomeIso(d.starts_at).slice(11, 19) === '10:00:00')).toBe(true);
  });

  it('refuses to pledge an item beyond its target, in the database itself', async () => {
    const item = await t.db
      .selectFrom('campaign_item')
      .select(['id', 'target'])
      .where('slug', '=', 'zaino')
      .executeTakeFirstOrThrow();
    await expect(
      t.db
        .updateTable('campaign_item')
        .set({ pledged: sql<number>`pledged + ${item.target + 1}` })
        .where('id', '=', item.id)
        .execute(),
    ).rejects.toThrow(/campaign_item_pledged_within_target/);
    const after = await t.db
      .selectFrom('campaign_item')
      .select('pledged')
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(after.pledged).toBe(0);
  });

  it('requires an Italian text for events', async () => {
    await expect(
      t.db
        .insertInto('event')
        .values({
          slug: 'no-italian',
          title: JSON.stringify({ en: 'Only English' }),
          summary: JSON.stringify({ it: '' }),
          description: JSON.stringify({ it: '' }),
          venue: 'x',
          address: 'x',
          starts_at: new Date(),
          status: 'draft',
        })
        .execute(),
    ).rejects.toThrow();
  });
});
