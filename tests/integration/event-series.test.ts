// Recurring activities (issue #13) against the real database engine, PGlite and PostgreSQL: the
// dates written keep Rome's local time across the summer-time changes, skip public holidays and the
// desk's closures; a date cancelled or moved; a sign-up to one date leaves the others' seats alone;
// the .ics carries one VEVENT with RRULE and EXDATE; the public list shows the series once, as its
// next date held; and the list's filters (municipio, age, before an instant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { bilingual, seriesTemplate } from '../support/series-template.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { toRomeIso } from '#/lib/time.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { getPublicEventBySlug, listUpcomingEvents } from '#/features/events/events.ts';
import { registerParty } from '#/features/events/registrations.ts';
import {
  cancelSeriesDate,
  createSeries,
  editComingDates,
  extendSeries,
  moveSeriesDate,
  type SeriesTemplate,
} from '#/features/events/series.ts';
import { seriesInfo } from '#/features/events/series-view.ts';
import { seriesToIcs } from '#/features/events/event-formats.ts';
import { eventForSignUp } from '#/features/events/series-occurrence.ts';
import type { SeriesRule } from '#/features/events/series-rule.ts';
import type { Party } from '#/features/events/party.ts';

let t: TestDatabase;
let deskId: number;
// The seed's own dates (its series run 26 weeks from this day) end before the 2027 dates used here.
const seededOn = new Date('2026-06-01T08:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, seededOn);
  deskId = (await t.db.selectFrom('desk').select('id').where('slug', '=', 'quarto-oggiaro').executeTakeFirstOrThrow())
    .id;
});
afterAll(() => t.close());

const template = (overrides: Partial<SeriesTemplate> = {}) =>
  seriesTemplate({ age_bands: ['0-3', '3-6'], ...overrides });
const tuesdays = (firstDay: string, untilDay: string): SeriesRule => ({
  frequency: 'weekly',
  weekday: 2,
  weekOfMonth: null,
  firstDay,
  untilDay,
  startsTime: '17:00',
  endsTime: '18:30',
});

let made = 0;
async function newSeries(rule: SeriesRule, overrides: Partial<SeriesTemplate> = {}) {
  const slug = `serie-prova-${++made}`;
  const { seriesId } = await createSeries(t.db, {
    slug,
    rule,
    deskId,
    template: template(overrides),
    organisationIds: [],
  });
  const dates = await t.db
    .selectFrom('event')
    .select(['id', 'slug', 'occurrence_date', 'starts_at', 'ends_at', 'status'])
    .where('series_id', '=', seriesId)
    .orderBy('starts_at')
    .execute();
  return { seriesId, slug, dates };
}

let contacts = 0;
const party = (adults: number): Party => ({
  adults,
  children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
  name: 'Famiglia Bianchi',
  phone: `+39334${String(++contacts).padStart(7, '0')}`,
  email: null,
  locale: 'it',
});

describe('the dates of a series in the database', () => {
  it('stay at 17:00 in Rome across the end of summer time (31 October 2027)', async () => {
    const { dates } = await newSeries(tuesdays('2027-10-19', '2027-11-09'));
    expect(dates.map((d) => [d.occurrence_date, toRomeIso(d.starts_at), toRomeIso(d.ends_at!)])).toEqual([
      ['2027-10-19', '2027-10-19T17:00:00+02:00', '2027-10-19T18:30:00+02:00'],
      ['2027-10-26', '2027-10-26T17:00:00+02:00', '2027-10-26T18:30:00+02:00'],
      // 2 November is no holiday in Italy; 1 November (Ognissanti) is a Monday.
      ['2027-11-02', '2027-11-02T17:00:00+01:00', '2027-11-02T18:30:00+01:00'],
      ['2027-11-09', '2027-11-09T17:00:00+01:00', '2027-11-09T18:30:00+01:00'],
    ]);
  });

  it('stay at 17:00 in Rome across the start of summer time (28 March 2027), skipping Easter Monday', async () => {
    const mondays: SeriesRule = { ...tuesdays('2027-03-22', '2027-04-05'), weekday: 1 };
    const { dates } = await newSeries(mondays);
    expect(dates.map((d) => toRomeIso(d.starts_at))).toEqual([
      '2027-03-22T17:00:00+01:00',
      // 29 March 2027 is Easter Monday: not written.
      '2027-04-05T17:00:00+02:00',
    ]);
  });

  it('skip public holidays and the desk’s closures, and the .ics says so with EXDATE', async () => {
    await t.db.insertInto('desk_closure').values({ desk_id: deskId, day: '2027-12-14', reason: null }).execute();
    const { seriesId, dates } = await newSeries(tuesdays('2027-12-01', '2027-12-31'));
    // 7 December is Sant'Ambrogio; the 14th the desk is closed.
    expect(dates.map((d) => d.occurrence_date)).toEqual(['2027-12-21', '2027-12-28']);
    const info = (await seriesInfo(t.db, [seriesId], new Date('2027-12-01T00:00:00Z'))).get(seriesId)!;
    expect(info.skipped).toEqual([
      { day: '2027-12-07', reason: 'holiday' },
      { day: '2027-12-14', reason: 'closure' },
    ]);
    const event = (await getPublicEventBySlug(t.db, dates[0]!.slug))!;
    const ics = buildCalendar(seriesToIcs(event, info, 'it', 'https://qubi.example.org'));
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain('\r\nDTSTART;TZID=Europe/Rome:20271207T170000\r\n');
    expect(ics).toContain('\r\nRRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20271231T225900Z\r\n');
    expect(ics).toContain('\r\nEXDATE;TZID=Europe/Rome:20271207T170000\r\n');
    expect(ics).toContain('\r\nEXDATE;TZID=Europe/Rome:20271214T170000\r\n');
    expect(ics).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Rome');
  });
});

describe('exceptions: one date cancelled or moved', () => {
  it('cancels a date without sign-ups; the list then shows the next date, the .ics an EXDATE', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-01-11', '2028-02-01'));
    const from = new Date('2028-01-10T00:00:00Z');
    const listed = async () =>
      (await listUpcomingEvents(t.db, { from, limit: 500 })).filter((e) => e.seriesId === seriesId).map((e) => e.slug);
    expect(await listed()).toEqual([dates[0]!.slug]);
    expect(await cancelSeriesDate(t.db, seriesId, '2028-01-11')).toEqual({ ok: true, slug: dates[0]!.slug });
    expect(await listed()).toEqual([dates[1]!.slug]);
    // The cancelled date keeps its page, marked as cancelled.
    expect((await getPublicEventBySlug(t.db, dates[0]!.slug))?.status).toBe('cancelled');
    const info = (await seriesInfo(t.db, [seriesId], from)).get(seriesId)!;
    expect(info.skipped).toEqual([{ day: '2028-01-11', reason: 'cancelled' }]);
    const ics = buildCalendar(
      seriesToIcs((await getPublicEventBySlug(t.db, dates[1]!.slug))!, info, 'en', 'https://qubi.example.org'),
    );
    expect(ics).toContain('\r\nEXDATE;TZID=Europe/Rome:20280111T170000\r\n');
  });

  it('moves a date to another day and time; the .ics overrides it with RECURRENCE-ID', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-02-08', '2028-02-22'));
    const moved = await moveSeriesDate(t.db, seriesId, '2028-02-15', { day: '2028-02-17', startsTime: '16:00' });
    expect(moved).toEqual({ ok: true, slug: dates[1]!.slug });
    const event = (await getPublicEventBySlug(t.db, dates[1]!.slug))!;
    expect(toRomeIso(event.startsAt)).toBe('2028-02-17T16:00:00+01:00');
    expect(toRomeIso(event.endsAt!)).toBe('2028-02-17T18:30:00+01:00');
    const info = (await seriesInfo(t.db, [seriesId], new Date('2028-02-01T00:00:00Z'))).get(seriesId)!;
    expect(info.moved.map((m) => m.day)).toEqual(['2028-02-15']);
    const ics = buildCalendar(seriesToIcs(event, info, 'it', 'https://qubi.example.org'));
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(ics).toContain('\r\nRECURRENCE-ID;TZID=Europe/Rome:20280215T170000\r\n');
    expect(ics).toContain('\r\nDTSTART;TZID=Europe/Rome:20280217T160000\r\n');
    // A move to a day that does not exist changes nothing.
    expect(await moveSeriesDate(t.db, seriesId, '2028-02-22', { day: '2028-02-30' })).toEqual({
      ok: false,
      error: 'bad_date',
    });
  });

  it('moves and cancels a date families signed up for (they are told: date-notices.test.ts)', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-03-07', '2028-03-21'));
    const signUp = await registerParty(t.db, dates[0]!.id, party(2), { client: 'series-refuse' });
    expect(signUp.ok).toBe(true);
    expect(await moveSeriesDate(t.db, seriesId, '2028-03-07', { day: '2028-03-08' })).toEqual({
      ok: true,
      slug: dates[0]!.slug,
    });
    expect(toRomeIso((await getPublicEventBySlug(t.db, dates[0]!.slug))!.startsAt)).toBe('2028-03-08T17:00:00+01:00');
    expect(await cancelSeriesDate(t.db, seriesId, '2028-03-07')).toEqual({ ok: true, slug: dates[0]!.slug });
    expect((await getPublicEventBySlug(t.db, dates[0]!.slug))!.status).toBe('cancelled');
    expect(await cancelSeriesDate(t.db, seriesId, '2028-03-01')).toEqual({ ok: false, error: 'not_found' });
  });
});

describe('each date has its own seats', () => {
  it('a sign-up to one date leaves the other dates’ seats untouched', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-04-04', '2028-04-18'), { seats: 6 });
    const outcome = await registerParty(t.db, dates[1]!.id, party(4), { client: 'series-seats' });
    expect(outcome.ok).toBe(true);
    const info = (await seriesInfo(t.db, [seriesId], new Date('2028-04-01T00:00:00Z'))).get(seriesId)!;
    expect(info.coming.map((d) => [d.day, d.seats])).toEqual([
      ['2028-04-04', { total: 6, left: 6 }],
      ['2028-04-11', { total: 6, left: 2 }],
      ['2028-04-18', { total: 6, left: 6 }],
    ]);
    // A party of 3 no longer fits the 11th, and still fits the 18th.
    expect(await registerParty(t.db, dates[1]!.id, party(3), { client: 'series-seats' })).toEqual({
      ok: false,
      reason: 'full',
    });
    expect((await registerParty(t.db, dates[2]!.id, party(3), { client: 'series-seats-2' })).ok).toBe(true);
  });

  it('finds a date for the API’s `occurrence`, from a date’s slug or the series’ slug', async () => {
    const { slug, dates } = await newSeries(tuesdays('2028-05-02', '2028-05-16'));
    const viaDate = await eventForSignUp(t.db, dates[0]!.slug, '2028-05-09');
    expect(viaDate.ok && viaDate.event.slug).toBe(dates[1]!.slug);
    const viaSeries = await eventForSignUp(t.db, slug, '2028-05-16');
    expect(viaSeries.ok && viaSeries.event.slug).toBe(dates[2]!.slug);
    expect(await eventForSignUp(t.db, slug, '2028-05-10')).toEqual({ ok: false, error: 'not_found' });
    expect(await eventForSignUp(t.db, slug, '10/05/2028')).toEqual({ ok: false, error: 'invalid' });
  });

  it('an edit of the whole series changes the coming dates and keeps their sign-ups and taken seats', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-06-06', '2028-06-20'), { seats: 8 });
    expect((await registerParty(t.db, dates[0]!.id, party(5), { client: 'series-edit' })).ok).toBe(true);
    const changed = await editComingDates(t.db, seriesId, { title: bilingual('Nuovo titolo'), seats: 3 });
    expect(changed).toBe(3);
    const first = (await getPublicEventBySlug(t.db, dates[0]!.slug))!;
    expect(first.title.it).toBe('Nuovo titolo');
    // Five seats are taken on the first date: its seats stay at five, none left; the others get three.
    expect(first.seats).toEqual({ total: 5, left: 0 });
    expect((await getPublicEventBySlug(t.db, dates[1]!.slug))!.seats).toEqual({ total: 3, left: 3 });
    const signUps = await t.db
      .selectFrom('event_registration')
      .select('status')
      .where('event_id', '=', dates[0]!.id)
      .execute();
    expect(signUps).toEqual([{ status: 'pending' }]);
  });

  it('writes the dates a later last day adds, and no date twice', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-07-04', '2028-07-11'));
    const added = await extendSeries(t.db, seriesId, '2028-07-25');
    expect(added).toHaveLength(2);
    const all = await t.db
      .selectFrom('event')
      .select('occurrence_date')
      .where('series_id', '=', seriesId)
      .orderBy('occurrence_date')
      .execute();
    expect(all.map((d) => d.occurrence_date)).toEqual(['2028-07-04', '2028-07-11', '2028-07-18', '2028-07-25']);
    expect(dates).toHaveLength(2);
    expect(await extendSeries(t.db, seriesId, '2028-07-25')).toEqual([]);
  });
});

describe('the public list', () => {
  it('shows a series once, as its next date not over', async () => {
    const { seriesId, dates } = await newSeries(tuesdays('2028-09-05', '2028-10-31'));
    expect(dates).toHaveLength(9);
    const ofSeries = async (from: Date) =>
      (await listUpcomingEvents(t.db, { from, limit: 500 })).filter((e) => e.seriesId === seriesId);
    const before = await ofSeries(new Date('2028-09-01T00:00:00Z'));
    expect(before.map((e) => e.occurrenceDate)).toEqual(['2028-09-05']);
    expect(before[0]!.seriesRule).toMatchObject({ frequency: 'weekly', weekday: 2 });
    // During the first date (17:00–18:30 on the 5th) it is still that one; after it, the 12th.
    expect((await ofSeries(new Date('2028-09-05T16:00:00Z'))).map((e) => e.occurrenceDate)).toEqual(['2028-09-05']);
    expect((await ofSeries(new Date('2028-09-05T17:00:00Z'))).map((e) => e.occurrenceDate)).toEqual(['2028-09-12']);
  });

  it('filters by municipio, age band (events for every age included) and an end', async () => {
    const from = new Date('2028-11-01T00:00:00Z');
    const small = await newSeries(tuesdays('2028-11-07', '2028-11-28'), { age_bands: ['0-3'] });
    const everyAge = await newSeries(tuesdays('2028-11-14', '2028-11-28'), { age_bands: [] });
    const elsewhere = await newSeries(tuesdays('2028-11-07', '2028-11-28'), { age_bands: ['6-11'], municipio_id: 5 });
    const mine = new Set([small.seriesId, everyAge.seriesId, elsewhere.seriesId]);
    const listed = async (filters: Parameters<typeof listUpcomingEvents>[1]) =>
      (await listUpcomingEvents(t.db, { ...filters, limit: 500 }))
        .filter((e) => e.seriesId !== null && mine.has(e.seriesId))
        .map((e) => e.seriesId);
    expect(await listed({ from })).toEqual([small.seriesId, elsewhere.seriesId, everyAge.seriesId]);
    expect(await listed({ from, ageBand: '0-3' })).toEqual([small.seriesId, everyAge.seriesId]);
    expect(await listed({ from, ageBand: '6-11' })).toEqual([elsewhere.seriesId, everyAge.seriesId]);
    expect(await listed({ from, municipioId: 5 })).toEqual([elsewhere.seriesId]);
    // "This week": up to the end of Sunday 12 November; the every-age series starts on the 14th.
    expect(await listed({ from, before: new Date('2028-11-12T23:00:00Z') })).toEqual([
      small.seriesId,
      elsewhere.seriesId,
    ]);
  });
});
