// The network's figures (issue #15) against the real database, PGlite and PostgreSQL: bookings,
// event sign-ups, pledges and volunteers made through the real services, then counted by the hourly
// job; the dashboard's figures are checked against the rows they count, small cells are shown as
// "< 5" (also where a total would give one away, and in the CSV and ODS), coordinators see only
// their municipi, and the figures stay the same after the personal data is erased.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { cancelBooking } from '#/features/booking/manage-booking.ts';
import { cancelDeskBooking, markAttendance } from '#/features/agenda/desk-bookings.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { cancelPledge, recordPledgeOutcome } from '#/features/campaign/close-pledge.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { confirmRegistration } from '#/features/events/registration-holds.ts';
import { countWalkIn, markArrived } from '#/features/events/door.ts';
import { eraseExpiredBookings } from '#/features/booking/erase-bookings.ts';
import { eraseExpiredPledges } from '#/features/campaign/erase-pledges.ts';
import { erasePersonalData } from '#/features/gdpr/personal-data-erasure.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { countFigures } from '#/features/figures/count-figures.ts';
import { sampleFirstFreeSlots } from '#/features/figures/wait-samples.ts';
import { dashboardView, type DashboardView, type FigureTable } from '#/features/figures/dashboard-view.ts';
import { readCounts } from '#/features/figures/figures-query.ts';
import { readFigureFilters } from '#/features/figures/figure-filters.ts';
import { figuresCsv, figuresOds } from '#/features/figures/figures-export.ts';
import { workerFeatures } from '#/messages/index.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { romeToInstant } from '#/lib/time.ts';
import type { Locale } from '#/lib/locales.ts';

let t: TestDatabase;
let deskA: Desk; // Municipio 8
let deskB: Desk; // Municipio 5
let adminId: number;
const it_ = getTranslator('it');
const signUpTime = new Date('2026-10-20T09:00:00Z');
const countTime = new Date('2026-12-01T09:00:00Z');
const NOVEMBER = new URLSearchParams({ da: '2026-11', a: '2026-11' });

const admin = (): Actor => ({ id: adminId, role: 'admin', organisationId: null, municipi: [], desks: [] });
const coordinator8: Actor = { id: 9001, role: 'coordinator', organisationId: null, municipi: [8], desks: [] };
const operator: Actor = { id: 9002, role: 'desk_operator', organisationId: null, municipi: [], desks: [] };
const partner: Actor = { id: 9003, role: 'partner_editor', organisationId: 1, municipi: [], desks: [] };

async function addDesk(slug: string, municipio: number): Promise<Desk> {
  const desk = await t.db
    .insertInto('desk')
    .values({
      slug,
      municipio_id: municipio,
      name: `Sportello ${slug}`,
      area: 'Prova',
      address: 'Via Prova 1, Milano',
      phone: '02 1234 5678',
      services: ['orientation', 'listening'],
      slot_minutes: 30,
      capacity_per_slot: 10,
      max_days_ahead: 60,
      min_notice_minutes: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const weekday of [1, 2, 3, 4, 5])
    await t.db
      .insertInto('desk_opening_hours')
      .values({ desk_id: desk.id, weekday, opens: '09:00', closes: '17:00' })
      .execute();
  return (await getDeskBySlug(t.db, slug))!;
}

let contacts = 0;
async function book(desk: Desk, locale: Locale, hour: number, topic: string | null = 'orientation') {
  const made = await createBooking(
    t.db,
    {
      desk,
      start: romeToInstant(2026, 11, 3, hour, 0),
      firstName: 'Famiglia',
      email: `famiglia${++contacts}@example.org`,
      phone: null,
      topic,
      note: null,
      locale,
      submissionKey: null,
      source: 'public',
    },
    signUpTime,
  );
  if (!made.ok) throw new Error(`booking not made: ${JSON.stringify(made)}`);
  return made.booking.id;
}

/** A section's shown cells by row label and column label, for readable assertions. */
function cells(table: FigureTable): Record<string, Record<string, number | null>> {
  return Object.fromEntries(
    table.rows.map((r) => [r.label, Object.fromEntries(table.columns.map((c, i) => [c, r.cells[i]!]))]),
  );
}
const section = (view: DashboardView | 'forbidden', id: FigureTable['id']) => {
  if (view === 'forbidden') throw new Error('forbidden');
  return view.tables.find((s) => s.id === id)!;
};

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, signUpTime);
  // The figures below are those of this file's own rows: the seed's recurring activities (dates with
  // seats from the seed's day on) would add their unused seats to November.
  await t.db.deleteFrom('event').where('series_id', 'is not', null).execute();
  adminId = await createUser(t.db, { email: 'admin@comune.example', displayName: 'Admin', role: 'admin' });
  deskA = await addDesk('sportello-cifre-m8', 8);
  deskB = await addDesk('sportello-cifre-m5', 5);

  // Desk A, 3 November: 12 bookings. Italian: 5 came, 1 did not, 1 never marked. Arabic: 1 came,
  // 1 did not, 2 cancelled by the family, 1 cancelled by the desk.
  const plan: (readonly [Locale, 'attended' | 'no_show' | 'open' | 'family' | 'desk'])[] = [
    ...Array.from({ length: 5 }, () => ['it', 'attended'] as const),
    ['it', 'no_show'],
    ['it', 'open'],
    ['ar', 'attended'],
    ['ar', 'no_show'],
    ['ar', 'family'],
    ['ar', 'family'],
    ['ar', 'desk'],
  ];
  for (const [i, [locale, outcome]] of plan.entries()) {
    const id = await book(deskA, locale, 9 + (i % 4));
    if (outcome === 'attended' || outcome === 'no_show') await markAttendance(t.db, id, deskA.id, outcome, countTime);
    if (outcome === 'family') await cancelBooking(t.db, id, signUpTime);
    if (outcome === 'desk') await cancelDeskBooking(t.db, id, deskA.id, { actorUserId: adminId, now: signUpTime });
  }
  // Desk B (Municipio 5): six families, all came.
  for (let i = 0; i < 6; i++) await markAttendance(t.db, await book(deskB, 'it', 14), deskB.id, 'attended', countTime);

  // An event in Municipio 8 on 14 November: six parties of two sign up (four Italian, two English),
  // five of them come, with three people who had not signed up; 40 seats.
  const event = await insertPartyEvent(t.db, {
    slug: 'festa-delle-cifre',
    startsAt: romeToInstant(2026, 11, 14, 10, 0),
    seats: 40,
  });
  for (let i = 0; i < 6; i++) {
    const phone = `+39333${String(++contacts).padStart(7, '0')}`;
    const party = {
      adults: 2,
      children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
      name: 'Famiglia',
      phone,
      email: null,
      locale: (i < 4 ? 'it' : 'en') as Locale,
    };
    const held = await registerParty(t.db, event.id, party, { client: `client-${i}`, now: signUpTime });
    if (!held.ok) throw new Error('sign-up refused');
    const code = await latestCodeFromOutbox(t.db, phone);
    const confirmed = await confirmRegistration(t.db, held.registration.id, code, { now: signUpTime });
    if (!confirmed.ok) throw new Error('sign-up not confirmed');
    if (i < 5) await markArrived(t.db, event.id, held.registration.id, true);
  }
  for (let i = 0; i < 3; i++) await countWalkIn(t.db, event.id, 1);

  // Pledges for a collection window in Municipio 8 on 10 November: six donors; three bring, one
  // does not, one cancels, one is still open.
  const campaign = (await t.db.selectFrom('campaign').select('id').executeTakeFirstOrThrow()).id;
  const point = await t.db
    .insertInto('drop_off_point')
    .values({
      campaign_id: campaign,
      slug: 'punto-cifre-m8',
      name: 'Punto M8',
      address: 'Via Prova 2',
      municipio_id: 8,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const windowStart = romeToInstant(2026, 11, 10, 16, 0);
  const window = await t.db
    .insertInto('collection_window')
    .values({ drop_off_point_id: point.id, starts_at: windowStart, ends_at: new Date(windowStart.getTime() + 7200000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const outcome of ['received', 'received', 'received', 'not_brought', 'cancelled', 'open'] as const) {
    const made = await createPledge(
      t.db,
      {
        campaignSlug: 'zaino-sospeso',
        lines: [{ item: 'quaderni-righe', quantity: 1 }],
        collectionWindowId: window.id,
        firstName: 'Donatore',
        email: `donatore${++contacts}@example.org`,
        phone: null,
        locale: 'it',
        submissionKey: null,
      },
      signUpTime,
    );
    if (!made.ok) throw new Error(`pledge not made: ${JSON.stringify(made)}`);
    if (outcome === 'received' || outcome === 'not_brought')
      await recordPledgeOutcome(t.db, made.pledge.id, outcome, windowStart);
    if (outcome === 'cancelled') await cancelPledge(t.db, made.pledge.id, signUpTime);
  }

  // Six confirmed volunteers in Municipio 8 who help with homework; two speak Arabic.
  for (let i = 0; i < 6; i++)
    await t.db
      .insertInto('volunteer')
      .values({
        name: `Volontaria ${i}`,
        email: `volontaria${i}@example.org`,
        phone: null,
        municipi: [8],
        skills: ['homework'],
        languages: i < 2 ? ['it', 'ar'] : ['it'],
        availability: ['mon-morning'],
        note: null,
        locale: 'it',
        status: 'new',
        withdraw_key: `k${i}`.repeat(16),
        consent_at: signUpTime,
        confirmed_at: signUpTime,
      })
      .execute();

  await countFigures(t.db, countTime);
});
afterAll(() => t.close());

describe(`the network's figures (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('the hourly job counts before any erasure', () => {
    const names = workerFeatures().housekeeping.map((j) => j.name);
    expect(names.indexOf('figures')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('figures')).toBeLessThan(names.indexOf('booking erasure'));
    expect(names.indexOf('figures')).toBeLessThan(names.indexOf('pledge erasure'));
  });

  it('booking figures equal the rows they count, per desk and locale', async () => {
    const counted = await readCounts(t.db, 'booking', null, readFigureFilters(NOVEMBER, countTime), 'desk');
    const { rows } = await sql<{ desk_id: number; status: string; n: number }>`
      SELECT desk_id, status, count(*)::int AS n FROM booking
      WHERE starts_at >= ${romeToInstant(2026, 11, 1)} AND starts_at < ${romeToInstant(2026, 12, 1)}
      GROUP BY 1, 2`.execute(t.db);
    for (const desk of [deskA, deskB]) {
      const fromRows = (status: string) =>
        rows.filter((r) => r.desk_id === desk.id && r.status === status).reduce((n, r) => n + r.n, 0);
      const figure = (measure: string) =>
        counted.find((c) => c.group === String(desk.id) && c.measure === measure)?.value ?? 0;
      expect(figure('made')).toBe(rows.filter((r) => r.desk_id === desk.id).reduce((n, r) => n + r.n, 0));
      expect(figure('attended')).toBe(fromRows('attended'));
      expect(figure('no_show')).toBe(fromRows('no_show'));
      expect(figure('cancelled_family') + figure('cancelled_desk')).toBe(fromRows('cancelled'));
      expect(figure('open')).toBe(fromRows('confirmed'));
    }
    const byDesk = (measure: string) =>
      counted.find((c) => c.group === String(deskA.id) && c.measure === measure)?.value;
    expect([byDesk('made'), byDesk('attended'), byDesk('cancelled_family'), byDesk('cancelled_desk')]).toEqual([
      12, 6, 2, 1,
    ]);
  });

  it('the admin sees the city: counts of 5 and more, the small ones as "< 5"', async () => {
    const view = await dashboardView(t.db, admin(), NOVEMBER, 'it', it_, countTime);
    const bookings = cells(section(view, 'bookings'));
    expect(bookings['novembre 2026']).toEqual({
      Prenotati: 18,
      Presenti: 12,
      'Non presentati': null,
      'Annullati dalla famiglia': null,
      'Annullati dallo sportello': null,
      'Ancora da segnare': null,
    });
    expect(bookings['Totale']!['Prenotati']).toBe(18);
    const events = cells(section(view, 'events'));
    expect(events['novembre 2026']).toEqual({
      Iscrizioni: 6,
      'Persone iscritte': 12,
      'Persone iscritte presenti': 10,
      'Arrivati senza iscrizione': null,
      'Posti non usati': 27,
    });
    const pledges = cells(section(view, 'pledges'));
    expect(pledges['novembre 2026']).toEqual({
      Promesse: 6,
      Ricevute: null,
      'Non portate': null,
      Annullate: null,
      'Ancora aperte': null,
    });
  });

  it('a coordinator sees only their municipi; a total never gives a hidden cell away', async () => {
    const byLocale = new URLSearchParams({ da: '2026-11', a: '2026-11', per: 'locale' });
    const view = await dashboardView(t.db, coordinator8, byLocale, 'it', it_, countTime);
    const bookings = cells(section(view, 'bookings'));
    // Municipio 8 only: desk B's six are not there.
    expect(bookings['Totale']!['Prenotati']).toBe(12);
    expect(bookings['italiano']!['Prenotati']).toBe(7);
    expect(bookings['arabo']!['Prenotati']).toBe(5);
    // Attended: 5 in Italian, 1 in Arabic, 6 in all. The 1 is hidden, so the 5 must be too, or
    // 6 − 5 would give it away.
    expect(bookings['arabo']!['Presenti']).toBeNull();
    expect(bookings['italiano']!['Presenti']).toBeNull();
    expect(bookings['Totale']!['Presenti']).toBe(6);
    // Every shown total has no hidden part or at least two.
    const table = section(view, 'bookings');
    for (let c = 0; c < table.columns.length; c++) {
      const total = table.rows.at(-1)!.cells[c];
      const hidden = table.rows.slice(0, -1).filter((r) => r.cells[c] === null).length;
      if (total !== null) expect(hidden).not.toBe(1);
    }
    // Volunteers: this month's roster (counted on 1 December), one column per municipio of theirs.
    const december = new URLSearchParams({ da: '2026-12', a: '2026-12' });
    const volunteers = section(await dashboardView(t.db, coordinator8, december, 'it', it_, countTime), 'volunteers');
    expect(volunteers.columns).toEqual(['Municipio 8']);
    const roster = Object.fromEntries(volunteers.rows.map((r) => [r.key, r.cells[0]]));
    expect(roster['status:new']).toBe(6);
    expect(roster['skill:homework']).toBe(6);
    expect(roster['language:it']).toBe(6);
    expect(roster['language:ar']).toBeNull();
  });

  it('refuses desk operators and partners, and a coordinator outside their municipi', async () => {
    expect(await dashboardView(t.db, operator, NOVEMBER, 'it', it_, countTime)).toBe('forbidden');
    expect(await dashboardView(t.db, partner, NOVEMBER, 'it', it_, countTime)).toBe('forbidden');
    const m5 = new URLSearchParams({ da: '2026-11', a: '2026-11', municipio: '5' });
    expect(await dashboardView(t.db, coordinator8, m5, 'it', it_, countTime)).toBe('forbidden');
    const deskOfM5 = new URLSearchParams({ da: '2026-11', a: '2026-11', sportello: String(deskB.id) });
    expect(await dashboardView(t.db, coordinator8, deskOfM5, 'it', it_, countTime)).toBe('forbidden');
    expect(await dashboardView(t.db, admin(), m5, 'it', it_, countTime)).not.toBe('forbidden');
  });

  it('the CSV (";", BOM) and the ODS have the same cells as the page, "< 5" included', async () => {
    const view = await dashboardView(t.db, admin(), NOVEMBER, 'it', it_, countTime);
    if (view === 'forbidden') throw new Error('forbidden');
    const csv = figuresCsv(view.tables, 'it', it_);
    expect(csv.startsWith('\uFEFFSezione;Raggruppamento;Gruppo;Misura;Valore\r\n')).toBe(true);
    expect(csv).toContain('Appuntamenti;Mese;novembre 2026;Prenotati;18\r\n');
    expect(csv).toContain('Appuntamenti;Mese;novembre 2026;Non presentati;< 5\r\n');
    const files = unzipSync(figuresOds(view.tables, it_));
    expect(strFromU8(files['mimetype']!)).toBe('application/vnd.oasis.opendocument.spreadsheet');
    const content = strFromU8(files['content.xml']!);
    expect(content).toContain('table:name="Appuntamenti"');
    expect(content).toContain('office:value="18"');
    expect(content).toContain('<text:p>&lt; 5</text:p>');
  });

  it('waiting lists and ratings are counted from their rows: per score, and families placed, waiting, unmet', async () => {
    const november = romeToInstant(2026, 11, 10, 12, 0);
    // Seven ratings: six of desk A's booking flow, one of a page (no desk: the city's figures only).
    const scores = [5, 5, 4, 3, 5, 1];
    await t.db
      .insertInto('rating')
      .values([
        ...scores.map((score) => ({
          page: '/it/sportelli/sportello-cifre-m8/prenota',
          locale: 'it',
          flow: 'booking' as const,
          desk_id: deskA.id,
          score,
          created_at: november,
        })),
        { page: '/ar/faq', locale: 'ar', flow: 'page' as const, desk_id: null, score: 2, created_at: november },
      ])
      .execute();
    // Desk A's waiting list in November: six families, each at a different end.
    const ends = ['accepted', 'accepted', 'waiting', 'closed', 'closed', 'left'] as const;
    await t.db
      .insertInto('wait_entry')
      .values(
        ends.map((status, i) => ({
          reference: `QW-FIG-${i}`,
          desk_id: deskA.id,
          from_day: '2026-11-12',
          to_day: '2026-11-20',
          adults: 1,
          seats: 1,
          locale: 'it',
          status,
          created_at: november,
        })),
      )
      .execute();
    await countFigures(t.db, countTime);
    const filters = readFigureFilters(NOVEMBER, countTime);
    const { rows: byScore } = await sql<{ score: number; n: number }>`
      SELECT score, count(*)::int AS n FROM rating
      WHERE created_at >= ${romeToInstant(2026, 11, 1)} AND created_at < ${romeToInstant(2026, 12, 1)}
      GROUP BY 1`.execute(t.db);
    const ratings = await readCounts(t.db, 'rating', null, filters, 'month');
    const rated = (measure: string) => ratings.find((c) => c.measure === measure)?.value ?? 0;
    expect(rated('ratings')).toBe(byScore.reduce((n, r) => n + r.n, 0));
    for (const score of [1, 2, 3, 4, 5])
      expect(rated(`score_${score}`)).toBe(byScore.find((r) => r.score === score)?.n ?? 0);
    const waits = await readCounts(t.db, 'waitlist', [8], filters, 'month');
    const waited = (measure: string) => waits.find((c) => c.measure === measure)?.value ?? 0;
    expect([waited('requests'), waited('placed'), waited('waiting'), waited('unmet'), waited('withdrew')]).toEqual([
      6, 2, 1, 2, 1,
    ]);

    // On the dashboard: totals of 5 and more shown, every smaller count "< 5"; no longer "not collected".
    const view = await dashboardView(t.db, admin(), NOVEMBER, 'it', it_, countTime);
    if (view === 'forbidden') throw new Error('forbidden');
    expect(view.notCollected).toEqual([]);
    expect(cells(section(view, 'rating'))['novembre 2026']).toEqual({
      Valutazioni: 7,
      '1 stella': null,
      '2 stelle': null,
      '3 stelle': null,
      '4 stelle': null,
      '5 stelle': null,
    });
    expect(cells(section(view, 'waitlist'))['novembre 2026']).toEqual({
      'Famiglie in lista': 6,
      'Hanno avuto il posto': null,
      'Ancora in attesa': null,
      'Rimaste senza posto': null,
      'Si sono ritirate': null,
    });
  });

  it('the figures stay the same after the personal data is erased and the months are counted again', async () => {
    // November's activity, and December's roster of volunteers (December's events, still to come
    // on 1 December, are counted again by March, rightly: their unused seats are known then).
    const views = () =>
      Promise.all(
        ['2026-11', '2026-12'].map((month) =>
          dashboardView(t.db, admin(), new URLSearchParams({ da: month, a: month }), 'it', it_, countTime),
        ),
      );
    const [before, beforeRoster] = await views();
    const later = new Date('2027-03-01T09:00:00Z');
    expect(await eraseExpiredBookings(t.db, later, 30)).toBeGreaterThan(0);
    expect(await eraseExpiredPledges(t.db, later, 60)).toBeGreaterThan(0);
    const erased = await erasePersonalData(
      t.db,
      { email: 'volontaria0@example.org' },
      { actorUserId: adminId, now: later },
    );
    expect(erased.ok).toBe(true);
    const left = await t.db
      .selectFrom('booking')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('email', 'is not', null)
      .where('desk_id', 'in', [deskA.id, deskB.id])
      .executeTakeFirstOrThrow();
    expect(left.n).toBe(0);
    await countFigures(t.db, later);
    const [after, afterRoster] = await views();
    for (const id of ['bookings', 'events', 'pledges'] as const)
      expect(section(after!, id).rows, id).toEqual(section(before!, id).rows);
    expect(section(after!, 'bookings').rows[0]!.cells[0]).toBe(18);
    expect(section(afterRoster!, 'volunteers').rows).toEqual(section(beforeRoster!, 'volunteers').rows);
    expect(section(afterRoster!, 'volunteers').rows.find((r) => r.key === 'status:new')!.cells[0]).toBe(6);
  });

  it('a month older than 62 days is frozen: the count no longer reads its rows', async () => {
    // By 1 March 2027 November is frozen: even rows gone from the table no longer change it.
    await t.db.deleteFrom('booking').where('desk_id', '=', deskB.id).execute();
    await countFigures(t.db, new Date('2027-03-01T10:00:00Z'));
    const view = await dashboardView(t.db, admin(), NOVEMBER, 'it', it_, countTime);
    expect(section(view, 'bookings').rows[0]!.cells[0]).toBe(18);
  });

  it('the median days to the first free slot come from one sample per desk and day', async () => {
    const monday = new Date('2026-11-30T07:00:00Z');
    const sampled = await sampleFirstFreeSlots(t.db, monday);
    expect(sampled).toBeGreaterThanOrEqual(2);
    // Once a day: a second run the same day samples nobody.
    expect(await sampleFirstFreeSlots(t.db, new Date(monday.getTime() + 3600000))).toBe(0);
    const byDesk = new URLSearchParams({ da: '2026-11', a: '2026-11', per: 'desk', municipio: '8' });
    const waits = section(await dashboardView(t.db, admin(), byDesk, 'it', it_, countTime), 'waits');
    const deskRow = waits.rows.find((r) => r.key === String(deskA.id))!;
    // Desk A opens every weekday at 9:00 with 10 places: Monday 8:00 in Milan, the first is an hour away.
    expect(deskRow.cells).toEqual([0, 1]);
    expect(waits.rows.every((r) => r.cells[1] === 1)).toBe(true);
  });
});
