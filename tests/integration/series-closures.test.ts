// Recurring activities and a desk's closed days (issue #13), against the real database engine
// (PGlite, and PostgreSQL with TEST_DATABASE_URL): a closure added from the desk's settings or with
// "Close this day" cancels, in its own transaction, the coming dates of the desk's series it covers
// (no more sign-ups, EXDATE in the .ics, the parties signed up counted for the staff to call); a
// part of a day closed covers only the dates it overlaps; a date not yet published goes; a date
// already held, another desk's series and a series with no desk (made in the staff area) stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seriesTemplate } from '../support/series-template.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { addClosure } from '#/features/agenda/closures.ts';
import { closeDay } from '#/features/agenda/close-day.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { createSeries, type SeriesTemplate } from '#/features/events/series.ts';
import { seriesInfo } from '#/features/events/series-view.ts';
import { seriesToIcs } from '#/features/events/event-formats.ts';
import type { SeriesRule } from '#/features/events/series-rule.ts';
import type { Party } from '#/features/events/party.ts';

let t: TestDatabase;
let quarto: number;
let other: number;
let operatorId: number;
// The seed's own series end before the 2027 dates used here.
const seededOn = new Date('2026-06-01T08:00:00Z');
// Monday 4 January 2027, 9:00 in Milan: the closures below are added on this day.
const now = new Date('2027-01-04T08:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, seededOn);
  const desks = await t.db.selectFrom('desk').select(['id', 'slug']).orderBy('id').execute();
  quarto = desks.find((d) => d.slug === 'quarto-oggiaro')!.id;
  other = desks.find((d) => d.slug !== 'quarto-oggiaro')!.id;
  operatorId = await createUser(t.db, {
    email: 'op.serie@example.org',
    displayName: 'Operatrice',
    role: 'desk_operator',
    desks: [quarto],
  });
});
afterAll(() => t.close());

const template = seriesTemplate;
/** Tuesdays at 17:00–18:30. */
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
async function newSeries(rule: SeriesRule, deskId: number | null, overrides: Partial<SeriesTemplate> = {}) {
  const slug = `serie-chiusure-${++made}`;
  const { seriesId } = await createSeries(t.db, {
    slug,
    rule,
    deskId,
    template: template(overrides),
    organisationIds: [],
  });
  return { seriesId, slug };
}
const datesOf = (seriesId: number) =>
  t.db
    .selectFrom('event')
    .select(['id', 'slug', 'occurrence_date', 'status'])
    .where('series_id', '=', seriesId)
    .orderBy('occurrence_date')
    .execute();
const statusByDay = async (seriesId: number) =>
  Object.fromEntries((await datesOf(seriesId)).map((d) => [d.occurrence_date, d.status]));

let contacts = 0;
const party = (adults: number): Party => ({
  adults,
  children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
  name: 'Famiglia Rossi',
  phone: `+39335${String(++contacts).padStart(7, '0')}`,
  email: null,
  locale: 'it',
});
const by = () => ({ actorUserId: operatorId, now });

describe('a closure added from the desk settings', () => {
  it('cancels the coming date it covers in the same change: no sign-up, EXDATE, parties counted', async () => {
    const { seriesId } = await newSeries(tuesdays('2027-01-12', '2027-02-02'), quarto);
    const dates = await datesOf(seriesId);
    const onClosedDay = dates.find((d) => d.occurrence_date === '2027-01-19')!;
    // Two parties signed up to the date before the closure.
    expect((await registerParty(t.db, onClosedDay.id, party(2), { client: 'closure-a', now })).ok).toBe(true);
    expect((await registerParty(t.db, onClosedDay.id, party(1), { client: 'closure-b', now })).ok).toBe(true);

    const result = await addClosure(t.db, quarto, { day: '2027-01-19', reason: 'Sciopero' }, by());
    expect(result).toEqual({
      ok: true,
      bookingsOnDay: 0,
      series: { cancelled: 1, parties: 2, slugs: [onClosedDay.slug] },
    });
    expect(await statusByDay(seriesId)).toEqual({
      '2027-01-12': 'published',
      '2027-01-19': 'cancelled',
      '2027-01-26': 'published',
      '2027-02-02': 'published',
    });
    // The date's page stays, marked cancelled; nobody can sign up to it any more, and is told why.
    expect((await getPublicEventBySlug(t.db, onClosedDay.slug))?.status).toBe('cancelled');
    // (The refusal names the cancelled date: signUpRefusalKey points to the other dates.)
    expect(await registerParty(t.db, onClosedDay.id, party(1), { client: 'closure-c', now })).toEqual({
      ok: false,
      reason: 'cancelled',
    });
    // The two holds not yet confirmed were released with the date (date-notices.ts).
    const holds = await t.db
      .selectFrom('event_registration')
      .select('status')
      .where('event_id', '=', onClosedDay.id)
      .execute();
    expect(holds.map((h) => h.status)).toEqual(['expired', 'expired']);
    // The series' page and .ics say the date is not held because the desk is closed.
    const info = (await seriesInfo(t.db, [seriesId], now, now)).get(seriesId)!;
    expect(info.skipped).toEqual([{ day: '2027-01-19', reason: 'closure' }]);
    const event = (await getPublicEventBySlug(t.db, dates[0]!.slug))!;
    const ics = buildCalendar(seriesToIcs(event, info, 'it', 'https://qubi.example.org'));
    expect(ics).toContain('\r\nEXDATE;TZID=Europe/Rome:20270119T170000\r\n');
    expect(ics.match(/EXDATE/g)).toHaveLength(1);
    // The audit row of the closure counts the dates cancelled.
    const audit = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'desk.closure_added')
      .where('subject', '=', `desk:${quarto}`)
      .execute();
    expect(audit.map((a) => a.detail)).toContainEqual({ day: '2027-01-19', seriesDatesCancelled: 1 });
  });

  it('leaves another desk’s series and a series with no desk (the staff area’s) as they are', async () => {
    const atOther = await newSeries(tuesdays('2027-02-09', '2027-02-16'), other);
    const noDesk = await newSeries(tuesdays('2027-02-09', '2027-02-16'), null);
    const result = await addClosure(t.db, quarto, { day: '2027-02-09', reason: '' }, by());
    expect(result).toMatchObject({ ok: true, series: { cancelled: 0, parties: 0, slugs: [] } });
    expect(await statusByDay(atOther.seriesId)).toEqual({ '2027-02-09': 'published', '2027-02-16': 'published' });
    expect(await statusByDay(noDesk.seriesId)).toEqual({ '2027-02-09': 'published', '2027-02-16': 'published' });
  });

  it('removes a date not yet published (never public), so it is not published later on a closed day', async () => {
    const { seriesId } = await newSeries(tuesdays('2027-02-23', '2027-03-09'), quarto, { status: 'draft' });
    const result = await addClosure(t.db, quarto, { day: '2027-03-02', reason: '' }, by());
    expect(result).toMatchObject({ ok: true, series: { cancelled: 0, parties: 0 } });
    expect(await statusByDay(seriesId)).toEqual({ '2027-02-23': 'draft', '2027-03-09': 'draft' });
  });

  it('a closure refused (a day in the past) changes no date', async () => {
    const { seriesId } = await newSeries(tuesdays('2027-03-16', '2027-03-23'), quarto);
    const result = await addClosure(
      t.db,
      quarto,
      { day: '2027-03-16', reason: '' },
      {
        actorUserId: operatorId,
        now: new Date('2027-03-20T08:00:00Z'),
      },
    );
    expect(result).toEqual({ ok: false, errors: { closureDay: 'staff.desk.error.dayPast' } });
    expect(await statusByDay(seriesId)).toEqual({ '2027-03-16': 'published', '2027-03-23': 'published' });
  });
});

describe('“Close this day”', () => {
  it('for the whole day cancels the date with the bookings, one transaction', async () => {
    const { seriesId } = await newSeries(tuesdays('2027-04-06', '2027-04-13'), quarto);
    const result = await closeDay(
      t.db,
      quarto,
      { day: '2027-04-13', from: '', until: '', reason: 'Allagamento' },
      by(),
    );
    expect(result).toMatchObject({ ok: true, day: '2027-04-13', series: { cancelled: 1, parties: 0 } });
    expect(await statusByDay(seriesId)).toEqual({ '2027-04-06': 'published', '2027-04-13': 'cancelled' });
  });

  it('for part of the day cancels only a date whose times it overlaps', async () => {
    const { seriesId } = await newSeries(tuesdays('2027-04-20', '2027-04-27'), quarto);
    // Closed in the morning: the 17:00 activity goes ahead.
    const morning = await closeDay(
      t.db,
      quarto,
      { day: '2027-04-20', from: '09:00', until: '12:00', reason: '' },
      by(),
    );
    expect(morning).toMatchObject({ ok: true, series: { cancelled: 0 } });
    // Closed from 18:00: the activity runs until 18:30, so it cannot be held.
    const evening = await closeDay(
      t.db,
      quarto,
      { day: '2027-04-27', from: '18:00', until: '20:00', reason: '' },
      by(),
    );
    expect(evening).toMatchObject({ ok: true, series: { cancelled: 1 } });
    expect(await statusByDay(seriesId)).toEqual({ '2027-04-20': 'published', '2027-04-27': 'cancelled' });
    const info = (await seriesInfo(t.db, [seriesId], now, now)).get(seriesId)!;
    expect(info.skipped).toEqual([{ day: '2027-04-27', reason: 'closure' }]);
  });

  it('a series saved after a morning closure keeps that day’s afternoon date', async () => {
    await closeDay(t.db, quarto, { day: '2027-05-04', from: '09:00', until: '12:00', reason: '' }, by());
    await closeDay(t.db, quarto, { day: '2027-05-11', from: '', until: '', reason: '' }, by());
    const { seriesId } = await newSeries(tuesdays('2027-05-04', '2027-05-18'), quarto);
    expect(await statusByDay(seriesId)).toEqual({ '2027-05-04': 'published', '2027-05-18': 'published' });
    const info = (await seriesInfo(t.db, [seriesId], now, now)).get(seriesId)!;
    expect(info.skipped).toEqual([{ day: '2027-05-11', reason: 'closure' }]);
  });

  it('leaves a date already held that day alone', async () => {
    const { seriesId } = await newSeries(
      { ...tuesdays('2027-05-25', '2027-05-25'), startsTime: '08:00', endsTime: '08:30' },
      quarto,
    );
    // Closed at 9:00 on the same day, after the 8:00 date started.
    const result = await closeDay(
      t.db,
      quarto,
      { day: '2027-05-25', from: '', until: '', reason: '' },
      {
        actorUserId: operatorId,
        now: new Date('2027-05-25T07:00:00Z'),
      },
    );
    expect(result).toMatchObject({ ok: true, series: { cancelled: 0 } });
    expect(await statusByDay(seriesId)).toEqual({ '2027-05-25': 'published' });
  });
});
