// The staff side of recurring activities (issue #13) against PGlite and PostgreSQL: a series made
// from the event form's checked content and its rule is a set of drafts, one per date; a partner
// sends them for review and a coordinator of the municipio publishes them all, while a coordinator
// of another municipio is refused and nothing changes; and the staff list shows each series once,
// at its next date, instead of a row per date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { checkEventForm, emptyEventForm } from '#/features/events/event-form.ts';
import { checkSeriesRule } from '#/features/events/series-form.ts';
import { changeSeriesStatus, createStaffSeries, getSeriesForStaff } from '#/features/events/series-staff.ts';
import { listEventsForActor } from '#/features/events/staff-event-list.ts';
import { toRomeIso } from '#/lib/time.ts';
import { createUser } from '#/features/staff-accounts/users.ts';

let t: TestDatabase;
let organisationId: number;
let userId: number;
const seededOn = new Date('2026-06-01T08:00:00Z');
const now = new Date('2027-01-01T08:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, seededOn);
  organisationId = (await t.db.selectFrom('organisation').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  userId = await createUser(t.db, { email: 'serie@comune.example', displayName: 'Serie', role: 'admin', municipi: [] });
});
afterAll(() => t.close());

const partner = (): Actor => ({ id: userId, role: 'partner_editor', organisationId, municipi: [], desks: [] });
const coordinator = (municipio: number): Actor => ({
  id: userId,
  role: 'coordinator',
  organisationId: null,
  municipi: [municipio],
  desks: [],
});

/** The event form filled as a partner would, for a Tuesday 17:00–18:30 activity in Municipio 8. */
function form(title: string) {
  const values = emptyEventForm({ municipioId: 8 });
  values.title.it = title;
  values.summary.it = 'Giochi e letture';
  values.description.it = 'Giochi e letture per i più piccoli.';
  values.venue = 'Spazio QuBì';
  values.address = 'Via Pascarella 5';
  values.startDate = '2027-03-02';
  values.startTime = '17:00';
  values.endTime = '18:30';
  values.seats = '12';
  const checked = checkEventForm(values, { municipi: [8], organisations: [] });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}
const start = { day: '2027-03-02', startsTime: '17:00', endsTime: '18:30', endDate: '' };

describe('a series made in the staff area', () => {
  it('is one draft per date of its rule, for the partner’s own organisation, at Rome’s local time', async () => {
    const rule = checkSeriesRule({ frequency: 'weekly', untilDate: '', count: '6' }, start);
    expect(rule.ok).toBe(true);
    if (!rule.ok) return;
    // Six Tuesdays from 2 March 2027; the summer-time change (28 March) keeps 17:00 in Rome.
    expect(rule.rule.untilDay).toBe('2027-04-06');
    const made = await createStaffSeries(t.db, partner(), form('Letture al parco'), rule.rule);
    expect(made).toMatchObject({ ok: true, dates: 6 });
    if (!made.ok) return;
    const series = (await getSeriesForStaff(t.db, made.seriesId, now))!;
    expect(series.dates.map((d) => [d.day, d.status, d.seats, d.parties])).toEqual(
      ['2027-03-02', '2027-03-09', '2027-03-16', '2027-03-23', '2027-03-30', '2027-04-06'].map((day) => [
        day,
        'draft',
        12,
        0,
      ]),
    );
    expect(toRomeIso(series.dates[4]!.startsAt)).toBe('2027-03-30T17:00:00+02:00');
    expect(series.next.ownerOrganisationId).toBe(organisationId);
    expect(series.slug).toBe('letture-al-parco');
  });

  it('is sent for review by its partner and published by the coordinator of its municipio, not another', async () => {
    const rule = checkSeriesRule({ frequency: 'fortnightly', untilDate: '2027-04-30', count: '' }, start);
    if (!rule.ok) throw new Error('rule');
    const made = await createStaffSeries(t.db, partner(), form('Uscite in natura'), rule.rule);
    if (!made.ok) throw new Error('made');
    const series = (await getSeriesForStaff(t.db, made.seriesId, now))!;
    expect(series.dates.map((d) => d.day)).toEqual([
      '2027-03-02',
      '2027-03-16',
      '2027-03-30',
      '2027-04-13',
      '2027-04-27',
    ]);

    expect(await changeSeriesStatus(t.db, coordinator(2), series, 'published', now)).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await changeSeriesStatus(t.db, partner(), series, 'published', now)).toEqual({
      ok: false,
      error: 'forbidden',
    });
    const statuses = async () => (await getSeriesForStaff(t.db, made.seriesId, now))!.dates.map((d) => d.status);
    expect(new Set(await statuses())).toEqual(new Set(['draft']));

    const sent = await changeSeriesStatus(t.db, partner(), series, 'submitted', now);
    expect(sent.ok && sent.slugs.length).toBe(5);
    expect(new Set(await statuses())).toEqual(new Set(['submitted']));
    const published = await changeSeriesStatus(t.db, coordinator(8), series, 'published', now);
    // Every date, whatever order the update met the rows in (a flake in CI on PostgreSQL, 2026-12-07).
    expect(published.ok && published.slugs).toEqual(series.dates.map((d) => d.slug).sort());
    expect(new Set(await statuses())).toEqual(new Set(['published']));
  });

  it('refuses a rule without an end, over a year, or an end on another day, naming the field', () => {
    expect(checkSeriesRule({ frequency: 'weekly', untilDate: '', count: '' }, start)).toEqual({
      ok: false,
      errors: { untilDate: 'staff.series.error.endRequired' },
    });
    expect(checkSeriesRule({ frequency: 'weekly', untilDate: '2028-06-01', count: '' }, start)).toEqual({
      ok: false,
      errors: { untilDate: 'staff.series.error.untilTooFar' },
    });
    expect(checkSeriesRule({ frequency: 'yearly', untilDate: '', count: '٤' }, start)).toEqual({
      ok: false,
      errors: { frequency: 'staff.series.error.frequencyRequired' },
    });
    expect(checkSeriesRule({ frequency: 'weekly', untilDate: '', count: '60' }, start)).toEqual({
      ok: false,
      errors: { count: 'staff.series.error.countInvalid' },
    });
    expect(
      checkSeriesRule({ frequency: 'monthly', untilDate: '', count: '3' }, { ...start, endDate: '2027-03-03' }),
    ).toEqual({ ok: false, errors: { endDate: 'staff.series.error.endSameDay' } });
    // Monthly on the first date's place in its month: 2 March 2027 is the first Tuesday.
    const monthly = checkSeriesRule({ frequency: 'monthly', untilDate: '', count: '3' }, start);
    expect(monthly.ok && [monthly.rule.weekOfMonth, monthly.rule.untilDay]).toEqual([1, '2027-05-04']);
  });
});

describe('the staff list of events', () => {
  it('shows each series once, at its next date, and a one-off event as itself', async () => {
    const admin: Actor = { id: userId, role: 'admin', organisationId: null, municipi: [], desks: [] };
    const events = await listEventsForActor(t.db, admin, 500, now);
    const bySeries = new Map<number, string[]>();
    for (const e of events)
      if (e.seriesId !== null) bySeries.set(e.seriesId, [...(bySeries.get(e.seriesId) ?? []), e.occurrenceDate!]);
    // The seed's five activities and the two made above.
    expect(bySeries.size).toBe(7);
    for (const days of bySeries.values()) expect(days).toHaveLength(1);
    const natura = events.find((e) => e.title.it === 'Uscite in natura')!;
    expect(natura.occurrenceDate).toBe('2027-03-02');
    // The seed's series ran out before `now`: shown at their last date.
    const seeded = events.filter((e) => e.seriesId !== null && e.startsAt < now);
    expect(seeded).toHaveLength(5);
    for (const e of seeded) {
      const last = await t.db
        .selectFrom('event')
        .select((eb) => eb.fn.max('occurrence_date').as('day'))
        .where('series_id', '=', e.seriesId)
        .executeTakeFirstOrThrow();
      expect(e.occurrenceDate).toBe(last.day);
    }
    expect(events.some((e) => e.seriesId === null)).toBe(true);
  });
});
