// The staff agenda and desk settings against the real database engine (PGlite, and PostgreSQL with
// TEST_DATABASE_URL): scope (a desk id only ever reaches that desk's rows), attendance rules,
// phone bookings without contact, the capacity change rule, weekly hours, closures and extra
// openings, and the CSV export with its audit row and formula-injection protection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { createBooking, type NewBooking } from '#/features/booking/create-booking.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { AGENDA_MESSAGE_KEYS } from '#/features/agenda/agenda-messages.ts';
import {
  addClosure,
  addExtraOpening,
  listDeskExceptions,
  removeClosure,
  removeExtraOpening,
} from '#/features/agenda/closures.ts';
import {
  agendaRange,
  channelLabel,
  familyLanguage,
  listAgenda,
  standing,
  statusLabel,
} from '#/features/agenda/agenda-queries.ts';
import { bookForFamily, checkPhoneBooking, type PhoneBookingValues } from '#/features/agenda/phone-booking.ts';
import { cancelDeskBooking, markAttendance } from '#/features/agenda/desk-bookings.ts';
import { checkDeskSettings, updateDeskSettings } from '#/features/agenda/desk-settings.ts';
import { checkWeeklyHours, replaceWeeklyHours } from '#/features/agenda/weekly-hours.ts';
import { exportAgendaCsv, exportAgendaOds } from '#/features/agenda/agenda-csv.ts';
import { strFromU8, unzipSync } from 'fflate';
import { getTranslator, messages } from '#/lib/i18n.ts';
import { romeToInstant, toRomeIso } from '#/lib/time.ts';

let t: TestDatabase;
let quarto: Desk; // Tuesdays 10:00–13:00, 30-minute slots, capacity 1
let gallaratese: Desk; // Wednesdays 14:00–17:00
let villapizzone: Desk; // Fridays 10:00–13:00 (settings tests change it)
let operatorId: number;
let operator: Actor;
const now = new Date('2026-12-01T09:00:00Z'); // Tuesday 1 December 2026, 10:00 in Milan

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  quarto = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!;
  gallaratese = (await getDeskBySlug(t.db, 'gallaratese'))!;
  villapizzone = (await getDeskBySlug(t.db, 'villapizzone'))!;
  operatorId = await createUser(t.db, {
    email: 'op@example.org',
    displayName: 'Operatore QO',
    role: 'desk_operator',
    desks: [quarto.id],
  });
  operator = await loadActor(t.db, {
    id: operatorId,
    email: 'op@example.org',
    displayName: 'Operatore QO',
    role: 'desk_operator',
    organisationId: null,
    totpEnabled: false,
  });
});
afterAll(() => t.close());

const request = (over: Partial<NewBooking>): NewBooking => ({
  desk: quarto,
  start: romeToInstant(2026, 12, 15, 10, 0),
  firstName: 'Amina',
  email: null,
  phone: '+393331112222',
  topic: null,
  note: null,
  locale: 'it',
  submissionKey: null,
  source: 'public',
  ...over,
});

async function book(over: Partial<NewBooking>) {
  const outcome = await createBooking(t.db, request(over), now);
  if (!outcome.ok) throw new Error(`not booked: ${outcome.reason}`);
  return outcome.booking;
}

const statusOf = async (id: number) =>
  (await t.db.selectFrom('booking').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const counter = async (deskId: number, start: Date) =>
  (await t.db
    .selectFrom('booking_slot')
    .select(['booked', 'capacity'])
    .where('desk_id', '=', deskId)
    .where('starts_at', '=', start)
    .executeTakeFirst()) ?? null;
const audits = (action: string) =>
  t.db
    .selectFrom('audit_log')
    .select(['actor_user_id', 'subject', 'detail'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();

describe(`the agenda (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('the policy gives the operator Quarto Oggiaro only', () => {
    expect(can(operator, { kind: 'desk.agenda', desk: { id: quarto.id, municipioId: quarto.municipioId } })).toBe(true);
    expect(
      can(operator, { kind: 'desk.agenda', desk: { id: gallaratese.id, municipioId: gallaratese.municipioId } }),
    ).toBe(false);
    expect(
      can(operator, { kind: 'desk.settings', desk: { id: gallaratese.id, municipioId: gallaratese.municipioId } }),
    ).toBe(false);
  });

  it('lists a day or a week of one desk, in time order, without erased bookings', async () => {
    const late = await book({
      start: romeToInstant(2026, 12, 15, 12, 30),
      firstName: 'Late',
      topic: 'orientation',
      note: 'Porta i documenti',
    });
    const early = await book({
      start: romeToInstant(2026, 12, 15, 10, 0),
      firstName: 'Early',
      email: 'early@example.org',
      phone: null,
    });
    const elsewhere = await book({
      desk: gallaratese,
      start: romeToInstant(2026, 12, 16, 14, 0),
      firstName: 'Other desk',
    });
    const erased = await book({ start: romeToInstant(2026, 12, 15, 11, 0), firstName: 'Gone' });
    await t.db
      .updateTable('booking')
      .set({ first_name: null, phone: null, erased_at: now })
      .where('id', '=', erased.id)
      .execute();

    const day = await listAgenda(t.db, quarto.id, '2026-12-15', '2026-12-15');
    expect(day.map((e) => e.reference)).toEqual([early.reference, late.reference]);
    expect(day[0]).toMatchObject({
      firstName: 'Early',
      email: 'early@example.org',
      phone: null,
      status: 'confirmed',
      day: '2026-12-15',
      source: 'public',
    });
    expect(day[1]).toMatchObject({
      firstName: 'Late',
      topic: 'orientation',
      note: 'Porta i documenti',
      phone: '+393331112222',
    });
    expect(toRomeIso(day[1]!.start)).toBe('2026-12-15T12:30:00+01:00');

    const week = agendaRange('2026-12-17', 'settimana');
    expect(week).toEqual({ from: '2026-12-14', to: '2026-12-20' });
    expect((await listAgenda(t.db, quarto.id, week.from, week.to)).map((e) => e.id)).toEqual([early.id, late.id]);
    expect((await listAgenda(t.db, gallaratese.id, week.from, week.to)).map((e) => e.id)).toEqual([elsewhere.id]);
    expect(await listAgenda(t.db, quarto.id, '2026-12-16', '2026-12-16')).toEqual([]);
  });
});

describe('attendance', () => {
  it('only a confirmed booking of that desk, only once its appointment has started', async () => {
    const start = romeToInstant(2026, 12, 22, 10, 0);
    const booking = await book({ start });
    const before = new Date(start.getTime() - 60000);
    expect(await markAttendance(t.db, booking.id, quarto.id, 'attended', before)).toEqual({
      ok: false,
      reason: 'not_started',
    });
    expect(await statusOf(booking.id)).toBe('confirmed');

    // Operator of desk A, booking of desk A, but the id of desk B: nothing found, nothing changed.
    expect(await markAttendance(t.db, booking.id, gallaratese.id, 'attended', start)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await statusOf(booking.id)).toBe('confirmed');
    expect(await markAttendance(t.db, 999999, quarto.id, 'attended', start)).toEqual({
      ok: false,
      reason: 'not_found',
    });

    expect(await markAttendance(t.db, booking.id, quarto.id, 'attended', start)).toMatchObject({
      ok: true,
      reference: booking.reference,
    });
    expect(await statusOf(booking.id)).toBe('attended');
    expect(await markAttendance(t.db, booking.id, quarto.id, 'no_show', start)).toEqual({
      ok: false,
      reason: 'not_confirmed',
    });
    expect(await statusOf(booking.id)).toBe('attended');
    // The place stays taken.
    expect(await counter(quarto.id, start)).toMatchObject({ booked: 1 });
  });

  it('two operators pressing at once mark it once', async () => {
    const start = romeToInstant(2026, 12, 22, 10, 30);
    const booking = await book({ start });
    const results = await Promise.all([
      markAttendance(t.db, booking.id, quarto.id, 'attended', start),
      markAttendance(t.db, booking.id, quarto.id, 'no_show', start),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('a cancelled booking cannot be marked', async () => {
    const start = romeToInstant(2026, 12, 22, 11, 0);
    const booking = await book({ start });
    expect((await cancelDeskBooking(t.db, booking.id, quarto.id, { actorUserId: operatorId, now })).ok).toBe(true);
    expect(await markAttendance(t.db, booking.id, quarto.id, 'no_show', start)).toEqual({
      ok: false,
      reason: 'not_confirmed',
    });
  });
});

describe('cancelling from the agenda', () => {
  it('refuses another desk’s booking given this desk’s id, and a started appointment', async () => {
    const start = romeToInstant(2026, 12, 16, 14, 30);
    const theirs = await book({ desk: gallaratese, start });
    expect(await cancelDeskBooking(t.db, theirs.id, quarto.id, { actorUserId: operatorId, now })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await statusOf(theirs.id)).toBe('confirmed');
    expect(await counter(gallaratese.id, start)).toMatchObject({ booked: 1 });
    expect(await cancelDeskBooking(t.db, theirs.id, gallaratese.id, { actorUserId: operatorId, now: start })).toEqual({
      ok: false,
      reason: 'started',
    });
    expect(await statusOf(theirs.id)).toBe('confirmed');
  });

  it('frees the place at once and records who did it, without personal data', async () => {
    const start = romeToInstant(2026, 12, 22, 11, 30);
    const booking = await book({ start, firstName: 'Cancellami', email: 'c@example.org' });
    const result = await cancelDeskBooking(t.db, booking.id, quarto.id, { actorUserId: operatorId, now });
    expect(result).toMatchObject({ ok: true, reference: booking.reference });
    expect(await statusOf(booking.id)).toBe('cancelled');
    expect(await counter(quarto.id, start)).toMatchObject({ booked: 0 });
    expect(await cancelDeskBooking(t.db, booking.id, quarto.id, { actorUserId: operatorId, now })).toEqual({
      ok: false,
      reason: 'not_confirmed',
    });
    const rows = await audits('booking.cancelled_by_staff');
    const mine = rows.find((r) => r.subject === `booking:${booking.id}`)!;
    expect(mine.actor_user_id).toBe(operatorId);
    expect(JSON.stringify(mine.detail)).not.toMatch(/Cancellami|c@example/);
    // The family hears it by email.
    const outbox = await t.db.selectFrom('outbox').select('kind').where('booking_id', '=', booking.id).execute();
    expect(outbox.map((o) => o.kind)).toContain('booking_cancelled');
  });
});

describe('booking for a family on the phone', () => {
  const form = (over: Partial<PhoneBookingValues>): PhoneBookingValues => ({
    slot: romeToInstant(2026, 12, 29, 10, 0).toISOString(),
    firstName: 'Fatima',
    phone: '',
    email: '',
    topic: '',
    note: '',
    locale: 'it',
    sendSms: 'yes',
    ...over,
  });

  it('needs no contact, and is marked as a staff booking with no email queued', async () => {
    const checked = checkPhoneBooking(form({}), quarto);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value).toMatchObject({
      firstName: 'Fatima',
      phone: null,
      email: null,
      topic: null,
      note: null,
      locale: 'it',
    });
    const outcome = await bookForFamily(t.db, quarto, checked.value, 'phone-form-key-0001', now);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const again = await bookForFamily(t.db, quarto, checked.value, 'phone-form-key-0001', now);
    expect(again).toMatchObject({ ok: true, duplicate: true, booking: { reference: outcome.booking.reference } });
    const row = await t.db
      .selectFrom('booking')
      .selectAll()
      .where('id', '=', outcome.booking.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'staff', phone: null, email: null, first_name: 'Fatima', status: 'confirmed' });
    expect(await t.db.selectFrom('outbox').select('id').where('booking_id', '=', outcome.booking.id).execute()).toEqual(
      [],
    );
  });

  it('follows the public rules in words for the operator; the slot must be offered and free', async () => {
    const bad = checkPhoneBooking(
      form({
        slot: '',
        firstName: ' ',
        phone: '12',
        email: 'nope',
        topic: 'karaoke',
        note: 'x'.repeat(201),
        locale: 'fr',
      }),
      quarto,
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        slot: 'staffDay.phoneBooking.slotRequired',
        firstName: 'staffDay.phoneBooking.nameRequired',
        phone: 'staffDay.phoneBooking.phoneInvalid',
        email: 'staffDay.phoneBooking.emailInvalid',
        topic: 'staffDay.phoneBooking.topicInvalid',
        note: 'staffDay.phoneBooking.noteTooLong',
        locale: 'staffDay.phoneBooking.localeInvalid',
      },
    });
    const good = checkPhoneBooking(
      form({ phone: '333 444 5555', email: 'Fam@Example.org', topic: 'orientation' }),
      quarto,
    );
    expect(good).toMatchObject({
      ok: true,
      value: { phone: '+393334445555', email: 'fam@example.org', topic: 'orientation' },
    });

    // Inside the minimum notice (now is 10:00, the desk wants two hours): not offered.
    const soon = checkPhoneBooking(form({ slot: romeToInstant(2026, 12, 1, 11, 0).toISOString() }), quarto);
    if (!soon.ok) throw new Error('should parse');
    expect(await bookForFamily(t.db, quarto, soon.value, null, now)).toMatchObject({
      ok: false,
      reason: 'slot_unavailable',
    });
    // Taken by the first test of this block.
    const taken = checkPhoneBooking(form({ firstName: 'Second' }), quarto);
    if (!taken.ok) throw new Error('should parse');
    expect(await bookForFamily(t.db, quarto, taken.value, null, now)).toMatchObject({ ok: false, reason: 'slot_full' });
  });

  it('sends the SMS confirmation and reminder to a mobile when ticked, and none when unticked', async () => {
    const messagesOf = async (bookingId: number) =>
      (
        await t.db
          .selectFrom('outbox')
          .select(['kind', 'channel', 'recipient'])
          .where('booking_id', '=', bookingId)
          .orderBy('id')
          .execute()
      ).map((m) => `${m.kind}/${m.channel}/${m.recipient}`);
    const bookIt = async (over: Partial<PhoneBookingValues>) => {
      const checked = checkPhoneBooking(form(over), quarto);
      if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
      const outcome = await bookForFamily(t.db, quarto, checked.value, null, now);
      if (!outcome.ok) throw new Error(outcome.reason);
      return outcome.booking.id;
    };
    const ticked = await bookIt({
      slot: romeToInstant(2027, 1, 19, 10, 0).toISOString(),
      phone: '333 700 0001',
      locale: 'ar',
    });
    expect(await messagesOf(ticked)).toEqual([
      'booking_confirmation/sms/+393337000001',
      'booking_reminder/sms/+393337000001',
    ]);
    // Unticked (a checkbox left empty sends nothing): no SMS at all, the booking is made the same.
    const unticked = await bookIt({
      slot: romeToInstant(2027, 1, 19, 10, 30).toISOString(),
      phone: '333 700 0002',
      sendSms: '',
    });
    expect(await messagesOf(unticked)).toEqual([]);
    expect(await statusOf(unticked)).toBe('confirmed');
    // The choice stays with the booking: cancelled by the desk, the unticked one hears nothing by
    // SMS either, the ticked one is told.
    for (const id of [ticked, unticked])
      expect(await cancelDeskBooking(t.db, id, quarto.id, { actorUserId: operatorId, now })).toMatchObject({
        ok: true,
      });
    expect(await messagesOf(unticked)).toEqual([]);
    expect((await messagesOf(ticked)).at(-1)).toBe('booking_cancelled/sms/+393337000001');
    // Unticked with an email: the email confirmation still goes, the SMS not.
    const withEmail = await bookIt({
      slot: romeToInstant(2027, 1, 19, 11, 0).toISOString(),
      phone: '333 700 0003',
      email: 'famiglia@example.org',
      sendSms: '',
    });
    expect(await messagesOf(withEmail)).toEqual([
      'booking_confirmation/email/famiglia@example.org',
      'booking_reminder/email/famiglia@example.org',
    ]);
    // Ticked with a landline: nothing can go by SMS.
    const landline = await bookIt({ slot: romeToInstant(2027, 1, 19, 11, 30).toISOString(), phone: '02 1234 5678' });
    expect(await messagesOf(landline)).toEqual([]);
  });
});

describe('holds in the agenda', () => {
  it('a hold waiting for its code is listed as such, a lapsed one is not; the channel and language are shown', async () => {
    const day = '2027-01-20'; // a Wednesday at Gallaratese, 14:00–17:00
    const desk = gallaratese;
    const start = (h: number, m: number) => romeToInstant(2027, 1, 20, h, m);
    const held = await createBooking(
      t.db,
      request({ desk, start: start(14, 0), phone: '+393338000001', locale: 'zh' }),
      now,
      { hold: { client: 'agenda-a' } },
    );
    const lapsing = await createBooking(t.db, request({ desk, start: start(14, 30), phone: '+393338000002' }), now, {
      hold: { client: 'agenda-b' },
    });
    const api = await book({ desk, start: start(15, 0), phone: '+393338000003', source: 'api', locale: 'es' });
    if (!held.ok || !lapsing.ok) throw new Error('not held');
    const listed = await listAgenda(t.db, desk.id, day, day, now);
    expect(listed.map((e) => [e.reference, e.status, e.source, e.locale])).toEqual([
      [held.booking.reference, 'pending', 'public', 'zh'],
      [lapsing.booking.reference, 'pending', 'public', 'it'],
      [api.reference, 'confirmed', 'api', 'es'],
    ]);
    // 15 minutes later the holds have lapsed (not yet released by housekeeping): gone from the agenda.
    const later = new Date(now.getTime() + 15 * 60000);
    expect((await listAgenda(t.db, desk.id, day, day, later)).map((e) => e.reference)).toEqual([api.reference]);
    const it = getTranslator('it');
    expect(statusLabel('pending', it)).toBe('In attesa del codice');
    expect(listed.map((e) => channelLabel(e.source, it))).toEqual(['online', 'online', 'tramite API']);
    expect(familyLanguage(listed[0]!, 'it')).toBe('cinese');
    expect(familyLanguage(listed[2]!, 'en')).toBe('Spanish');
    // Only what stands is counted as booked: the holds may still lapse.
    expect(listed.filter(standing).map((e) => e.reference)).toEqual([api.reference]);
  });
});

describe('the CSV export', () => {
  it('has the needed columns only, one desk only, neutralises formulas, and leaves an audit row without the rows', async () => {
    await book({
      start: romeToInstant(2026, 12, 29, 10, 30),
      firstName: '=HYPERLINK("http://evil.example","click")',
      phone: '+393330000001',
      note: 'private note',
      email: 'secret@example.org',
      topic: 'listening',
    });
    await book({ desk: gallaratese, start: romeToInstant(2026, 12, 30, 14, 0), firstName: 'Gallaratese family' });
    const { csv, rows } = await exportAgendaCsv(t.db, quarto, '2026-12-28', '2027-01-03', {
      actorUserId: operatorId,
      t: getTranslator('en'),
      locale: 'en',
    });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('Date;Time;Reference;First name;Phone;Topic;Booked;Language;Status');
    expect(rows).toBe(2); // Fatima (phone booking) and the formula
    expect(lines).toHaveLength(rows + 2); // header, rows, and the empty string after the last CRLF
    expect(csv).not.toContain('Gallaratese family');
    expect(csv).not.toContain('private note');
    expect(csv).not.toContain('secret@example.org');
    const injected = lines.find((l) => l.includes('HYPERLINK'))!;
    expect(injected).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(injected).toMatch(/^2026-12-29;10:30;QB-[A-Z0-9]{4}-[A-Z0-9]{2};/);
    expect(injected).toContain(";'+393330000001;");
    expect(injected).toContain(';Someone to listen to you;online;Italian;Confirmed');
    expect(lines.find((l) => l.includes('Fatima'))).toMatch(/;by phone;Italian;Confirmed$/);
    for (const line of lines.slice(1, -1)) for (const cell of line.split(';')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

    const [audit] = (await audits('export.agenda')).slice(-1);
    expect(audit).toMatchObject({
      actor_user_id: operatorId,
      subject: `desk:${quarto.id}`,
      detail: { desk: 'quarto-oggiaro', from: '2026-12-28', to: '2027-01-03', rows: 2 },
    });
    expect(JSON.stringify(audit!.detail)).not.toMatch(/Fatima|HYPERLINK|3330000001/);
  });

  it('the ODS has the same rows as the CSV, every cell as text (a formula is not run), and its own audit row', async () => {
    const options = { actorUserId: operatorId, t: getTranslator('en'), locale: 'en' as const };
    const { csv } = await exportAgendaCsv(t.db, quarto, '2026-12-28', '2027-01-03', options);
    const { ods, rows } = await exportAgendaOds(t.db, quarto, '2026-12-28', '2027-01-03', options);
    expect(rows).toBe(2);
    const files = unzipSync(ods);
    expect(strFromU8(files['mimetype']!)).toBe('application/vnd.oasis.opendocument.spreadsheet');
    const content = strFromU8(files['content.xml']!);
    const cells = (row: string) =>
      [...row.matchAll(/<text:p>([^<]*)<\/text:p>|<table:table-cell\/>/g)].map((m) => m[1] ?? '');
    const sheetRows = [...content.matchAll(/<table:table-row>([\s\S]*?)<\/table:table-row>/g)].map((m) => cells(m[1]!));
    expect(sheetRows[0]).toEqual([
      'Date',
      'Time',
      'Reference',
      'First name',
      'Phone',
      'Topic',
      'Booked',
      'Language',
      'Status',
    ]);
    expect(sheetRows).toHaveLength(rows + 1);
    const references = (list: string[][]) => list.map((r) => r[2]).sort();
    const csvRows = csv
      .slice(1)
      .split('\r\n')
      .slice(1, -1)
      .map((l) => l.split(';'));
    expect(references(sheetRows.slice(1))).toEqual(references(csvRows));
    expect(content).not.toContain('office:value-type="float"');
    expect(content).toContain('<text:p>=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)</text:p>');
    expect(content).toContain('<text:p>+393330000001</text:p>');
    expect(content).not.toMatch(/private note|secret@example\.org|Gallaratese family/);
    const [audit] = (await audits('export.agenda')).slice(-1);
    expect(audit).toMatchObject({ detail: { desk: 'quarto-oggiaro', rows: 2, format: 'ods' } });
  });

  it('exporting another desk’s agenda through this desk’s id gives this desk’s rows only', async () => {
    const { csv } = await exportAgendaCsv(t.db, quarto, '2026-12-16', '2026-12-16', {
      actorUserId: operatorId,
      t: getTranslator('it'),
      locale: 'it',
    });
    expect(csv.slice(1)).toBe('Data;Ora;Codice;Nome;Telefono;Argomento;Prenotata;Lingua;Stato\r\n');
  });
});

describe('settings: slot length, capacity, booking window', () => {
  it('checks the numbers', () => {
    expect(
      checkDeskSettings({ slotMinutes: '30', capacityPerSlot: '2', minNoticeMinutes: '0', maxDaysAhead: '366' }),
    ).toEqual({
      ok: true,
      value: { slotMinutes: 30, capacityPerSlot: 2, minNoticeMinutes: 0, maxDaysAhead: 366 },
    });
    expect(
      checkDeskSettings({ slotMinutes: '7', capacityPerSlot: '0', minNoticeMinutes: '-1', maxDaysAhead: '400' }),
    ).toEqual({
      ok: false,
      errors: {
        slotMinutes: 'staff.desk.error.slotMinutes',
        capacityPerSlot: 'staff.desk.error.capacityPerSlot',
        minNoticeMinutes: 'staff.desk.error.minNoticeMinutes',
        maxDaysAhead: 'staff.desk.error.maxDaysAhead',
      },
    });
    expect(
      checkDeskSettings({ slotMinutes: '30.5', capacityPerSlot: '2e1', minNoticeMinutes: '', maxDaysAhead: ' 10 ' }),
    ).toMatchObject({
      ok: false,
      errors: {
        slotMinutes: expect.any(String),
        capacityPerSlot: expect.any(String),
        minNoticeMinutes: expect.any(String),
      },
    });
  });

  it('capacity: raising opens places in full slots; lowering keeps every booking and closes overfull slots', async () => {
    const desk = villapizzone; // Fridays 10:00–13:00, capacity 1
    const settings = { slotMinutes: 30, capacityPerSlot: 3, minNoticeMinutes: 120, maxDaysAhead: 56 };
    const s1000 = romeToInstant(2026, 12, 11, 10, 0);
    const s1030 = romeToInstant(2026, 12, 11, 10, 30);
    const s1100 = romeToInstant(2026, 12, 11, 11, 0);
    const past = romeToInstant(2026, 11, 27, 10, 0);
    await book({ desk, start: s1000 });
    // A slot row from the past (booked a week ago): never touched.
    await createBooking(t.db, request({ desk, start: past }), new Date('2026-11-20T09:00:00Z'));

    const raised = await updateDeskSettings(t.db, desk.id, settings, { actorUserId: operatorId, now });
    expect(raised).toEqual({ ok: true, slotsKeptAboveCapacity: 0, futureBookings: 1 });
    expect(await counter(desk.id, s1000)).toEqual({ booked: 1, capacity: 3 });
    expect(await counter(desk.id, past)).toEqual({ booked: 1, capacity: 1 });
    const wide = (await getDeskBySlug(t.db, desk.slug))!;
    expect(wide.capacityPerSlot).toBe(3);
    for (let i = 0; i < 3; i++)
      expect((await createBooking(t.db, request({ desk: wide, start: s1030, firstName: `P${i}` }), now)).ok).toBe(true);
    expect((await createBooking(t.db, request({ desk: wide, start: s1000, firstName: 'Second at ten' }), now)).ok).toBe(
      true,
    );
    const cancelled = await book({ desk: wide, start: s1100 });
    await cancelDeskBooking(t.db, cancelled.id, desk.id, { actorUserId: operatorId, now });

    const lowered = await updateDeskSettings(
      t.db,
      desk.id,
      { ...settings, capacityPerSlot: 1 },
      { actorUserId: operatorId, now },
    );
    expect(lowered).toEqual({ ok: true, slotsKeptAboveCapacity: 2, futureBookings: 5 });
    // Nobody loses their appointment, and the overfull slots take no one else.
    expect(await counter(desk.id, s1030)).toEqual({ booked: 3, capacity: 3 });
    expect(await counter(desk.id, s1000)).toEqual({ booked: 2, capacity: 2 });
    expect(await counter(desk.id, s1100)).toEqual({ booked: 0, capacity: 1 });
    const narrow = (await getDeskBySlug(t.db, desk.slug))!;
    expect(
      await createBooking(t.db, request({ desk: narrow, start: s1030, firstName: 'Too many' }), now),
    ).toMatchObject({ ok: false, reason: 'slot_full' });
    expect(
      await createBooking(t.db, request({ desk: narrow, start: s1000, firstName: 'Too many' }), now),
    ).toMatchObject({ ok: false, reason: 'slot_full' });
    expect((await createBooking(t.db, request({ desk: narrow, start: s1100 }), now)).ok).toBe(true);
    expect(await createBooking(t.db, request({ desk: narrow, start: s1100, firstName: 'Second' }), now)).toMatchObject({
      ok: false,
      reason: 'slot_full',
    });
    const slots = await listDeskSlots(t.db, narrow, '2026-12-11', '2026-12-11', now);
    expect(slots.find((s) => s.start.getTime() === s1030.getTime())).toMatchObject({ capacity: 3, remaining: 0 });

    const [audit] = (await audits('desk.settings_changed')).slice(-1);
    expect(audit).toMatchObject({
      subject: `desk:${desk.id}`,
      detail: { before: { capacityPerSlot: 3 }, after: { capacityPerSlot: 1 }, slotsKeptAboveCapacity: 2 },
    });
  });

  it('slot length and window change slot generation; appointments keep their times', async () => {
    const desk = villapizzone;
    await updateDeskSettings(
      t.db,
      desk.id,
      { slotMinutes: 45, capacityPerSlot: 1, minNoticeMinutes: 0, maxDaysAhead: 20 },
      { actorUserId: operatorId, now },
    );
    const changed = (await getDeskBySlug(t.db, desk.slug))!;
    expect(changed).toMatchObject({ slotMinutes: 45, minNoticeMinutes: 0, maxDaysAhead: 20 });
    const slots = await listDeskSlots(t.db, changed, '2026-12-18', '2026-12-18', now);
    expect(slots.map((s) => toRomeIso(s.start).slice(11, 16))).toEqual(['10:00', '10:45', '11:30', '12:15']);
    expect(await listDeskSlots(t.db, changed, '2027-01-08', '2027-01-08', now)).toEqual([]); // beyond 20 days
    expect(
      (await listAgenda(t.db, desk.id, '2026-12-11', '2026-12-11')).every(
        (e) => (e.end.getTime() - e.start.getTime()) / 60000 === 30,
      ),
    ).toBe(true);
    expect(
      await updateDeskSettings(
        t.db,
        999999,
        { slotMinutes: 30, capacityPerSlot: 1, minNoticeMinutes: 120, maxDaysAhead: 56 },
        { actorUserId: operatorId, now },
      ),
    ).toEqual({ ok: false, reason: 'not_found' });
    await expect(
      updateDeskSettings(
        t.db,
        desk.id,
        { slotMinutes: 3, capacityPerSlot: 1, minNoticeMinutes: 120, maxDaysAhead: 56 },
        { actorUserId: operatorId, now },
      ),
    ).rejects.toThrow(RangeError);
  });
});

describe('weekly hours', () => {
  const row = (key: string, weekday: number, opens: string, closes: string) => ({ key, weekday, opens, closes });

  it('are checked: both times, opening before closing, no overlap in a day', () => {
    expect(
      checkWeeklyHours([
        row('a', 2, '14:00', '17:00'),
        row('b', 2, '9:00', '12:00:00'),
        row('c', 2, '12:00', '13:00'),
        row('d', 3, '', ''),
      ]),
    ).toEqual({
      ok: true,
      value: [
        { weekday: 2, opens: '09:00', closes: '12:00' },
        { weekday: 2, opens: '12:00', closes: '13:00' },
        { weekday: 2, opens: '14:00', closes: '17:00' },
      ],
    });
    expect(
      checkWeeklyHours([
        row('a', 1, '13:00', '10:00'),
        row('b', 1, '10:00', '10:00'),
        row('c', 2, '10:00', '13:00'),
        row('d', 2, '12:30', '14:00'),
        row('e', 3, '10:00', ''),
        row('f', 3, '', '12:00'),
        row('g', 4, '25:00', '12:00'),
        row('h', 8, '10:00', '12:00'),
      ]),
    ).toEqual({
      ok: false,
      errors: {
        'closes-a': 'staff.desk.error.closesBeforeOpens',
        'closes-b': 'staff.desk.error.closesBeforeOpens',
        'opens-d': 'staff.desk.error.overlap',
        'closes-e': 'staff.desk.error.closesMissing',
        'opens-f': 'staff.desk.error.opensMissing',
        'opens-g': 'staff.desk.error.timeInvalid',
        'opens-h': 'staff.desk.error.weekdayInvalid',
      },
    });
  });

  it('are replaced in one go, and slots follow; invalid hours never reach the database', async () => {
    const desk = gallaratese;
    expect(
      await replaceWeeklyHours(
        t.db,
        desk.id,
        [
          { weekday: 3, opens: '14:00', closes: '16:00' },
          { weekday: 4, opens: '09:00', closes: '10:00' },
        ],
        { actorUserId: operatorId },
      ),
    ).toEqual({ ok: true });
    const changed = (await getDeskBySlug(t.db, desk.slug))!;
    expect(changed.hours).toEqual([
      { weekday: 3, opens: '14:00', closes: '16:00' },
      { weekday: 4, opens: '09:00', closes: '10:00' },
    ]);
    const slots = await listDeskSlots(t.db, changed, '2027-01-13', '2027-01-14', now);
    expect(slots.map((s) => toRomeIso(s.start).slice(0, 16))).toEqual([
      '2027-01-13T14:00',
      '2027-01-13T14:30',
      '2027-01-13T15:00',
      '2027-01-13T15:30',
      '2027-01-14T09:00',
      '2027-01-14T09:30',
    ]);
    await expect(
      replaceWeeklyHours(
        t.db,
        desk.id,
        [
          { weekday: 3, opens: '14:00', closes: '16:00' },
          { weekday: 3, opens: '15:00', closes: '17:00' },
        ],
        { actorUserId: operatorId },
      ),
    ).rejects.toThrow(RangeError);
    expect((await getDeskBySlug(t.db, desk.slug))!.hours).toHaveLength(2);
    expect((await audits('desk.hours_replaced')).length).toBe(1);
  });
});

describe('closures and extra openings', () => {
  it('a closure removes the day’s slots, keeps its bookings, and is this desk’s to remove', async () => {
    const day = '2027-01-05'; // a Tuesday
    await book({ start: romeToInstant(2027, 1, 5, 10, 0) });
    expect(
      await addClosure(t.db, quarto.id, { day: '2026-11-30', reason: '' }, { actorUserId: operatorId, now }),
    ).toEqual({ ok: false, errors: { closureDay: 'staff.desk.error.dayPast' } });
    expect(
      await addClosure(
        t.db,
        quarto.id,
        { day: '2026-02-30', reason: 'x'.repeat(201) },
        { actorUserId: operatorId, now },
      ),
    ).toEqual({
      ok: false,
      errors: { closureDay: 'staff.desk.error.dayInvalid', closureReason: 'staff.desk.error.reasonTooLong' },
    });
    expect(await addClosure(t.db, quarto.id, { day, reason: 'Inventario' }, { actorUserId: operatorId, now })).toEqual({
      ok: true,
      bookingsOnDay: 1,
      // The seed's weekly activity at this desk is not held that day either (series-closures.test.ts).
      series: { cancelled: 1, parties: 0, slugs: ['spazio-mamma-bambino-quarto-oggiaro-2027-01-05'] },
    });
    expect(await addClosure(t.db, quarto.id, { day, reason: '' }, { actorUserId: operatorId, now })).toEqual({
      ok: false,
      errors: { closureDay: 'staff.desk.error.closureExists' },
    });
    expect(await listDeskSlots(t.db, quarto, day, day, now)).toEqual([]);
    expect(await listAgenda(t.db, quarto.id, day, day)).toHaveLength(1);

    const { closures } = await listDeskExceptions(t.db, quarto.id, '2026-12-01');
    const closure = closures.find((c) => c.day === day)!;
    expect(closure.reason).toBe('Inventario');
    expect(await removeClosure(t.db, gallaratese.id, closure.id, { actorUserId: operatorId })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect((await listDeskExceptions(t.db, quarto.id, day)).closures).toHaveLength(1);
    expect(await removeClosure(t.db, quarto.id, closure.id, { actorUserId: operatorId })).toEqual({ ok: true, day });
    const back = await listDeskSlots(t.db, quarto, day, day, now);
    expect(back.map((s) => s.remaining)).toEqual([0, 1, 1, 1, 1, 1]); // 10:00 is booked, the rest are free again
  });

  it('extra openings: checked, allowed on holidays and closures, not over the usual hours of an open day', async () => {
    const opts = { actorUserId: operatorId, now };
    expect(
      await addExtraOpening(t.db, quarto.id, { day: '2027-01-07', opens: '15:00', closes: '14:00' }, opts),
    ).toEqual({ ok: false, errors: { extraCloses: 'staff.desk.error.closesBeforeOpens' } });
    expect(await addExtraOpening(t.db, quarto.id, { day: '', opens: '', closes: 'x' }, opts)).toEqual({
      ok: false,
      errors: {
        extraDay: 'staff.desk.error.dayMissing',
        extraOpens: 'staff.desk.error.opensMissing',
        extraCloses: 'staff.desk.error.timeInvalid',
      },
    });
    // Tuesday 12 January is an ordinary open day, 10:00–13:00.
    expect(
      await addExtraOpening(t.db, quarto.id, { day: '2027-01-12', opens: '12:00', closes: '14:00' }, opts),
    ).toEqual({ ok: false, errors: { extraOpens: 'staff.desk.error.extraOverlapsHours' } });
    expect(
      await addExtraOpening(t.db, quarto.id, { day: '2027-01-12', opens: '13:00', closes: '14:00' }, opts),
    ).toEqual({ ok: true, bookingsOnDay: 0 });
    // Tuesday 8 December is a public holiday: the usual hours may be reopened.
    expect(
      await addExtraOpening(t.db, quarto.id, { day: '2026-12-08', opens: '10:00', closes: '11:00' }, opts),
    ).toEqual({ ok: true, bookingsOnDay: 0 });
    expect(
      await addExtraOpening(t.db, quarto.id, { day: '2026-12-08', opens: '10:30', closes: '12:00' }, opts),
    ).toEqual({ ok: false, errors: { extraOpens: 'staff.desk.error.extraOverlap' } });
    const slots = await listDeskSlots(t.db, quarto, '2026-12-08', '2026-12-08', now);
    expect(slots.map((s) => toRomeIso(s.start).slice(11, 16))).toEqual(['10:00', '10:30']);

    const { extraOpenings } = await listDeskExceptions(t.db, quarto.id, '2026-12-01');
    expect(extraOpenings.map((e) => [e.day, e.opens, e.closes])).toEqual([
      ['2026-12-08', '10:00', '11:00'],
      ['2027-01-12', '13:00', '14:00'],
    ]);
    const [first] = extraOpenings;
    expect(await removeExtraOpening(t.db, gallaratese.id, first!.id, { actorUserId: operatorId })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await removeExtraOpening(t.db, quarto.id, first!.id, { actorUserId: operatorId })).toEqual({
      ok: true,
      day: '2026-12-08',
      bookingsOnDay: 0,
    });
    expect(await listDeskSlots(t.db, quarto, '2026-12-08', '2026-12-08', now)).toEqual([]);
    const actions = (
      await t.db.selectFrom('audit_log').select('action').where('subject', '=', `desk:${quarto.id}`).execute()
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'desk.closure_added',
        'desk.closure_removed',
        'desk.extra_opening_added',
        'desk.extra_opening_removed',
        'export.agenda',
      ]),
    );
  });
});

describe('messages', () => {
  it('every message key the module returns exists in Italian and English', () => {
    const missing = AGENDA_MESSAGE_KEYS.flatMap((key) =>
      (['it', 'en'] as const).filter((l) => !messages[l][key]?.trim()).map((l) => `${l}:${key}`),
    );
    expect(missing).toEqual([]);
  });
});
