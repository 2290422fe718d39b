// The desks' agenda over plain HTTP against the built server, as a browser without JavaScript uses
// it: sign-in required; each role sees exactly the desks the policy gives it (403 elsewhere, on the
// page, the settings, the CSV and every POST); a booking made through the public API shows up; the
// operator books for a family on the phone without any contact, cancels with a confirmation step,
// and cannot touch another desk's booking through their own desk's URL; the CSV has only the needed
// columns; settings changes reach the public slots at once (cache invalidated).
//
// Accounts: on the embedded database the server runs with NODE_ENV=development and creates the demo
// accounts, whose credentials it prints (src/features/staff-accounts/demo.ts); on PostgreSQL
// (TEST_DATABASE_URL) the test shares the server's schema and creates the same accounts itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';

type Role = DemoAccount['role'];
let server: RunningServer;
let database: TestDatabase | undefined;
let accounts: Record<Role, DemoAccount>;
const cookies: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  const env = {
    NODE_ENV: 'development',
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000',
    MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
    HOLDS_PER_CLIENT: '10000',
    BOOKINGS_PER_CONTACT_PER_DESK: '10000',
    BOOKINGS_PER_CONTACT: '10000',
  };
  if (testDatabaseUrl) {
    database = await createTestDatabase();
    server = await startServer({ ...env, ...database.env });
    accounts = Object.fromEntries((await createDemoAccounts(database.db)).map((a) => [a.role, a])) as Record<
      Role,
      DemoAccount
    >;
  } else {
    server = await startServer(env);
    const list = [...server.output().matchAll(/\[demo\] (\w+) \| (\S+) \| (\S+) \| (.+)/g)].map((m) => ({
      role: m[1] as Role,
      email: m[2]!,
      password: m[3]!,
      displayName: '',
      scope: m[4]!.trim(),
    }));
    accounts = Object.fromEntries(list.map((a) => [a.role, a])) as Record<Role, DemoAccount>;
  }
  expect(Object.keys(accounts).sort()).toEqual(['admin', 'coordinator', 'desk_operator', 'partner_editor']);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

interface Page {
  status: number;
  html: string;
  headers: Headers;
  body: string;
  /** Where a followed 303 led. */
  url?: string;
}
const decode = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

async function request(path: string, init: RequestInit & { cookie?: string } = {}): Promise<Page> {
  const { cookie, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (cookie) headers.set('Cookie', cookie);
  const res = await fetch(server.origin + path, { redirect: 'manual', ...rest, headers });
  // Decoded by hand to keep the CSV's byte order mark (res.text() drops it).
  const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  return { status: res.status, html: decode(body), headers: res.headers, body };
}
const get = (path: string, cookie?: string) => request(path, cookie ? { cookie } : {});
/**
 * The Astro Action each form of the agenda and settings pages posts to, by the `intent` the form
 * still carries (src/features/agenda/agenda-actions.ts, desk-settings-actions.ts).
 */
const FORM_ACTIONS: Record<string, string> = {
  attended: 'agenda.markAttendance',
  no_show: 'agenda.markAttendance',
  cancel: 'agenda.askToCancel',
  cancelConfirmed: 'agenda.cancel',
  book: 'agenda.book',
  settings: 'agenda.saveSettings',
  hours: 'agenda.saveHours',
  addClosure: 'agenda.addClosure',
  removeClosure: 'agenda.removeClosure',
  addExtra: 'agenda.addExtraOpening',
  removeExtra: 'agenda.removeExtraOpening',
};
/** A form's address: its page with the action it posts to, as the page's form names it. */
const formAddress = (path: string, fields: Record<string, string>) => {
  const action = fields.intent && FORM_ACTIONS[fields.intent];
  return action ? `${path}${path.includes('?') ? '&' : '?'}_action=${action}` : path;
};
const post = (path: string, fields: Record<string, string>, cookie?: string) =>
  request(formAddress(path, fields), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
    body: new URLSearchParams(fields).toString(),
    ...(cookie ? { cookie } : {}),
  });
const location = (page: Page) => page.headers.get('location');
/**
 * A form sent as a browser does: the POST, then the GET its 303 leads to (with the draft cookie it
 * set), where a refusal or errors are shown; an outcome (`fatto=…`) is returned as the 303 itself.
 */
async function send(path: string, fields: Record<string, string>, cookie: string): Promise<Page> {
  const sent = await post(path, fields, cookie);
  const to = location(sent);
  if (sent.status !== 303 || !to || to.includes('fatto=')) return sent;
  const draft = sent.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .filter((pair) => pair.startsWith('qubi-draft-'));
  return { ...(await get(to, [cookie, ...draft].join('; '))), url: to };
}

async function as(role: Role): Promise<string> {
  if (cookies[role]) return cookies[role]!;
  const account = accounts[role];
  const page = await post('/it/staff/accesso', { email: account.email, password: account.password, next: '' });
  expect(page.status, page.html.slice(0, 300)).toBe(303);
  const line = page.headers.getSetCookie().find((c) => /^(__Host-)?qubi_session=/.test(c));
  expect(line).toBeDefined();
  cookies[role] = line!.split(';')[0]!;
  return cookies[role]!;
}

const DESKS = ['quarto-oggiaro', 'gallaratese', 'villapizzone'] as const;
const agendaPath = (desk: string, day?: string, view = 'giorno', locale = 'it') =>
  `/${locale}/staff/agenda/${desk}${day ? `?giorno=${day}&vista=${view}` : ''}`;
const settingsPath = (desk: string, locale = 'it') => `/${locale}/staff/agenda/${desk}/impostazioni`;
const csvPath = (desk: string, day: string, view = 'settimana', locale = 'it') =>
  `/${locale}/staff/agenda/${desk}/agenda.csv?giorno=${day}&vista=${view}`;

interface ApiSlot {
  start: string;
  end: string;
  capacity: number;
  remaining: number;
}
async function freeSlots(desk: string): Promise<ApiSlot[]> {
  const today = romeDateString(new Date());
  const res = await get(`/api/v1/desks/${desk}/slots?from=${today}&to=${addDays(today, 55)}`);
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as ApiSlot[]).filter((s) => s.remaining > 0);
}
async function bookThroughApi(
  desk: string,
  slot: ApiSlot,
  person: { name: string; phone?: string; email?: string; note?: string; topic?: string },
) {
  const seen = lastCodeMailId(server.output());
  const res = await request('/api/v1/bookings', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      desk,
      start: slot.start,
      name: person.name,
      phone: person.phone ?? '351 000 1111',
      email: person.email,
      note: person.note,
      topic: person.topic,
      locale: 'it',
      privacyAccepted: true,
    }),
  });
  expect(res.status, res.body).toBe(201);
  const made = JSON.parse(res.body) as { reference: string; start: string };
  // Confirmed with the code sent to the contact, as the family would (a newer message if an earlier one was late).
  let after = seen;
  for (let tries = 0; ; tries++) {
    const { id, code } = await nextCodeFromMail(() => server.output(), after);
    const confirmed = await request(`/api/v1/bookings/${made.reference}/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (confirmed.status === 200) break;
    expect(tries, confirmed.body).toBeLessThan(3);
    after = id;
  }
  return made;
}
const dayOf = (iso: string) => romeDateString(new Date(iso));

/** The <tr> of the agenda table that shows a reference, and the booking id its forms carry. */
function rowOf(page: Page, reference: string): { html: string; bookingId: string | undefined } {
  const row = page.html
    .split(/<tr\b/)
    .slice(1)
    .find((r) => r.includes(reference));
  if (!row) throw new Error(`${reference} is not in the agenda:\n${page.html.slice(0, 3000)}`);
  return { html: row, bookingId: /name="booking" value="(\d+)"/.exec(row)?.[1] };
}

/** The phone booking form of a day page: its hidden fields and the free slots offered. */
function phoneForm(page: Page): { fields: Record<string, string>; slots: string[] } {
  const form = [...page.html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)]
    .map((m) => m[1]!)
    .find((f) => f.includes('name="intent" value="book"'));
  if (!form) throw new Error(`no phone booking form:\n${page.html.slice(0, 3000)}`);
  const fields = Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const slots = [...form.matchAll(/<input type="radio" name="slot"[^>]*value="([^"]+)"/g)].map((m) => m[1]!);
  return { fields, slots };
}

describe('sign-in required', () => {
  it('answers 303 to the sign-in page with next, for pages and the CSV', async () => {
    const today = romeDateString(new Date());
    for (const path of [
      '/it/staff/agenda',
      agendaPath('quarto-oggiaro'),
      settingsPath('gallaratese', 'en'),
      csvPath('quarto-oggiaro', today),
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(303);
      const to = new URL(location(res)!, server.origin);
      expect(to.pathname, path).toBe(`/${path.split('/')[1]}/staff/accesso`);
      expect(to.searchParams.get('next'), path).toBe(path);
    }
    const res = await post(agendaPath('quarto-oggiaro'), { intent: 'attended', booking: '1' });
    expect(res.status).toBe(303);
  });

  it('exists in Italian and English only', async () => {
    const cookie = await as('desk_operator');
    expect((await get('/ar/staff/agenda/quarto-oggiaro', cookie)).status).toBe(404);
    expect((await get('/es/staff/agenda', cookie)).status).toBe(404);
  });
});

describe('scope', () => {
  it('the Quarto Oggiaro operator sees that agenda and gets 403 on Gallaratese’s agenda, settings, CSV and forms', async () => {
    const cookie = await as('desk_operator');
    const today = romeDateString(new Date());
    const list = await get('/it/staff/agenda', cookie);
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.html).toContain('href="/it/staff/agenda/quarto-oggiaro?');
    expect(list.html).not.toContain('/it/staff/agenda/gallaratese');
    expect(list.html).not.toContain('/it/staff/agenda/villapizzone');

    const own = await get(agendaPath('quarto-oggiaro', today, 'settimana'), cookie);
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBe('no-store');
    expect(own.html).toContain('Agenda – Spazio QuBì Quarto Oggiaro');
    expect((await get(settingsPath('quarto-oggiaro'), cookie)).status).toBe(200);
    expect((await get(csvPath('quarto-oggiaro', today), cookie)).status).toBe(200);

    for (const path of [
      agendaPath('gallaratese'),
      agendaPath('gallaratese', today, 'settimana', 'en'),
      settingsPath('gallaratese'),
      csvPath('gallaratese', today),
    ]) {
      const res = await get(path, cookie);
      expect(res.status, path).toBe(403);
      expect(res.body).not.toContain('Gallaratese');
    }
    expect((await post(agendaPath('gallaratese'), { intent: 'book', slot: '', firstName: 'X' }, cookie)).status).toBe(
      403,
    );
    expect(
      (
        await post(
          settingsPath('gallaratese'),
          { intent: 'addClosure', closureDay: addDays(today, 30), closureReason: '' },
          cookie,
        )
      ).status,
    ).toBe(403);
    expect((await get(agendaPath('no-such-desk'), cookie)).status).toBe(404);
  });

  it('a partner gets 403 on every agenda, settings page and CSV', async () => {
    const cookie = await as('partner_editor');
    const today = romeDateString(new Date());
    for (const desk of DESKS) {
      for (const path of [agendaPath(desk), settingsPath(desk), csvPath(desk, today)])
        expect((await get(path, cookie)).status, path).toBe(403);
      expect((await post(agendaPath(desk), { intent: 'cancelConfirmed', booking: '1' }, cookie)).status).toBe(403);
    }
    const list = await get('/it/staff/agenda', cookie);
    expect(list.status).toBe(200);
    expect(list.html).not.toContain('/it/staff/agenda/quarto-oggiaro');
  });

  it('the Municipio 8 coordinator sees all three desks of the municipio', async () => {
    const cookie = await as('coordinator');
    const list = await get('/en/staff/agenda', cookie);
    for (const desk of DESKS) {
      expect(list.html).toContain(`/en/staff/agenda/${desk}?`);
      expect((await get(agendaPath(desk, undefined, 'giorno', 'en'), cookie)).status).toBe(200);
      expect((await get(settingsPath(desk, 'en'), cookie)).status).toBe(200);
    }
  });
});

describe('the agenda', () => {
  it('shows a booking made through the public API, in the day and the week view', async () => {
    const [slot] = await freeSlots('quarto-oggiaro');
    const made = await bookThroughApi('quarto-oggiaro', slot!, {
      name: 'Samira',
      phone: '351 222 3333',
      topic: 'orientation',
      note: 'Porta il modulo ISEE',
    });
    const cookie = await as('desk_operator');
    const day = await get(agendaPath('quarto-oggiaro', dayOf(slot!.start)), cookie);
    expect(day.status).toBe(200);
    const row = rowOf(day, made.reference);
    expect(row.html).toContain('Samira');
    expect(row.html).toContain('+393512223333');
    expect(row.html).toContain('Porta il modulo ISEE');
    expect(row.html).toContain('Confermata');
    // Not started yet: cancel is offered, attendance is not.
    expect(row.html).toContain('value="cancel"');
    expect(row.html).not.toContain('value="attended"');
    const week = await get(agendaPath('quarto-oggiaro', dayOf(slot!.start), 'settimana', 'en'), cookie);
    expect(rowOf(week, made.reference).html).toContain('Confirmed');
    // Marking attendance before the appointment is refused (409), nothing changes.
    const early = await send(
      agendaPath('quarto-oggiaro', dayOf(slot!.start)),
      { intent: 'attended', booking: row.bookingId! },
      cookie,
    );
    expect(early.status).toBe(409);
    expect(rowOf(early, made.reference).html).toContain('Confermata');
  });

  it('the operator books for a family on the phone without any contact (a double submission books once)', async () => {
    const [first] = await freeSlots('quarto-oggiaro');
    const cookie = await as('desk_operator');
    const day = dayOf(first!.start);
    const page = await get(agendaPath('quarto-oggiaro', day), cookie);
    const { fields, slots } = phoneForm(page);
    expect(fields.intent).toBe('book');
    expect(fields.submissionKey).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(slots).toContain(new Date(first!.start).toISOString());
    // "Send the family an SMS confirmation" is ticked when the form opens.
    const smsTick = (html: string) =>
      /<input type="checkbox" name="sendSms" id="sendSms" value="yes"( checked)?/.exec(html);
    expect(smsTick(page.html)?.[1]).toBe(' checked');

    // Missing name: 422 with the error summary, nothing booked.
    const invalid = await send(
      agendaPath('quarto-oggiaro', day),
      { ...fields, slot: slots[0]!, firstName: '', phone: '', email: '', topic: '', note: 'Richiamare', locale: 'it' },
      cookie,
    );
    expect(invalid.status).toBe(422);
    // A GET after the 303 (Back and reload resend nothing), with what was typed kept.
    expect(invalid.url).toBe(agendaPath('quarto-oggiaro', day));
    expect(invalid.html).toContain('>Richiamare</textarea>');
    expect(invalid.html).toContain('class="error-summary"');
    expect(invalid.html).toContain('href="#firstName"');
    // Said to the operator, who types for someone else, not to the family.
    expect(invalid.html).toContain('Scrivi il nome della persona.');
    expect(invalid.html).not.toContain('Scrivi il tuo nome.');
    // Sent unticked: shown unticked again, as the operator left it.
    expect(smsTick(invalid.html)).not.toBeNull();
    expect(smsTick(invalid.html)?.[1]).toBeUndefined();

    const body = {
      ...fields,
      slot: slots[0]!,
      firstName: 'Giovanna',
      phone: '',
      email: '',
      topic: '',
      note: 'Chiamata del lunedì',
      locale: 'it',
    };
    const done = await post(agendaPath('quarto-oggiaro', day), body, cookie);
    expect(done.status, done.html.slice(0, 500)).toBe(303);
    const to = new URL(location(done)!, server.origin);
    expect(to.pathname).toBe('/it/staff/agenda/quarto-oggiaro');
    expect(to.searchParams.get('giorno')).toBe(day);
    expect(to.searchParams.get('fatto')).toBe('booked');
    const reference = to.searchParams.get('codice')!;
    expect(reference).toMatch(/^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
    const again = await post(agendaPath('quarto-oggiaro', day), body, cookie);
    expect(new URL(location(again)!, server.origin).searchParams.get('codice')).toBe(reference);

    const shown = await get(to.pathname + to.search, cookie);
    expect(shown.html).toContain(reference);
    const row = rowOf(shown, reference);
    expect(row.html).toContain('Giovanna');
    expect(row.html).toContain('per telefono');
    expect(shown.html.split(reference).length - 1).toBeGreaterThanOrEqual(2); // the notice and the row, once each
    expect(shown.html.match(/Giovanna/g)).toHaveLength(1);
    // The public slots no longer offer that place (the slots cache was invalidated).
    expect((await freeSlots('quarto-oggiaro')).map((s) => new Date(s.start).toISOString())).not.toContain(slots[0]);
    if (database) {
      const stored = await database.db
        .selectFrom('booking')
        .select(['source', 'phone', 'email'])
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ source: 'staff', phone: null, email: null });
    }
  });

  it('cancels with a confirmation step, and frees the place', async () => {
    const [slot] = await freeSlots('quarto-oggiaro');
    const made = await bookThroughApi('quarto-oggiaro', slot!, { name: 'Ines', email: 'ines@example.org' });
    const cookie = await as('desk_operator');
    const path = agendaPath('quarto-oggiaro', dayOf(slot!.start));
    const { bookingId } = rowOf(await get(path, cookie), made.reference);
    const confirm = await send(path, { intent: 'cancel', booking: bookingId! }, cookie);
    expect(confirm.status).toBe(200);
    expect(confirm.url).toBe(`${path}&annulla=${bookingId}`);
    expect(confirm.html).toContain('Vuoi annullare questa prenotazione?');
    expect(confirm.html).toContain(made.reference);
    expect(confirm.html).toContain('name="intent" value="cancelConfirmed"');
    // Nothing happened yet.
    expect((await freeSlots('quarto-oggiaro')).map((s) => s.start)).not.toContain(slot!.start);
    const done = await post(path, { intent: 'cancelConfirmed', booking: bookingId! }, cookie);
    expect(done.status).toBe(303);
    expect(location(done)).toContain('fatto=cancelled');
    const after = await get(location(done)!, cookie);
    expect(rowOf(after, made.reference).html).toContain('Annullata');
    expect((await freeSlots('quarto-oggiaro')).map((s) => s.start)).toContain(slot!.start);
    // A second confirmation changes nothing.
    expect((await send(path, { intent: 'cancelConfirmed', booking: bookingId! }, cookie)).status).toBe(409);
  });

  it('another desk’s booking cannot be cancelled or marked through the operator’s own desk', async () => {
    const [slot] = await freeSlots('gallaratese');
    const made = await bookThroughApi('gallaratese', slot!, { name: 'Other desk' });
    const coordinator = await as('coordinator');
    const { bookingId } = rowOf(await get(agendaPath('gallaratese', dayOf(slot!.start)), coordinator), made.reference);
    const operator = await as('desk_operator');
    for (const intent of ['cancel', 'cancelConfirmed', 'attended', 'no_show']) {
      const res = await send(agendaPath('quarto-oggiaro'), { intent, booking: bookingId! }, operator);
      expect(res.status, intent).toBe(404);
      expect(res.html).not.toContain(made.reference);
    }
    expect(rowOf(await get(agendaPath('gallaratese', dayOf(slot!.start)), coordinator), made.reference).html).toContain(
      'Confermata',
    );
  });
});

describe('the CSV export', () => {
  it('has the needed columns only (no note, no email), in the page’s language, and is audited', async () => {
    const [slot] = await freeSlots('quarto-oggiaro');
    const made = await bookThroughApi('quarto-oggiaro', slot!, {
      name: '=cmd|calc',
      phone: '333 999 8888',
      email: 'hidden@example.org',
      note: 'nota riservata',
      topic: 'listening',
    });
    const cookie = await as('desk_operator');
    const day = dayOf(slot!.start);
    const res = await get(csvPath('quarto-oggiaro', day), cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="agenda-quarto-oggiaro-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.charCodeAt(0)).toBe(0xfeff);
    const lines = res.body.slice(1).split('\r\n');
    expect(lines[0]).toBe('Data;Ora;Codice;Nome;Telefono;Argomento;Prenotata;Lingua;Stato');
    const line = lines.find((l) => l.includes(made.reference))!;
    expect(line.split(';')).toEqual([
      day,
      expect.stringMatching(/^\d{2}:\d{2}$/),
      made.reference,
      "'=cmd|calc",
      "'+393339998888",
      'Ascolto',
      'tramite API',
      'italiano',
      'Confermata',
    ]);
    expect(res.body).not.toContain('hidden@example.org');
    expect(res.body).not.toContain('nota riservata');
    const en = await get(csvPath('quarto-oggiaro', day, 'giorno', 'en'), cookie);
    expect(en.body.slice(1).split('\r\n')[0]).toBe('Date;Time;Reference;First name;Phone;Topic;Booked;Language;Status');
    if (database) {
      const audits = await database.db
        .selectFrom('audit_log')
        .select(['action', 'subject', 'detail', 'actor_user_id'])
        .where('action', '=', 'export.agenda')
        .execute();
      expect(audits.length).toBeGreaterThanOrEqual(2);
      for (const a of audits) {
        expect(a.subject).toMatch(/^desk:\d+$/);
        expect(Object.keys(a.detail).sort()).toEqual(['desk', 'from', 'rows', 'to']);
        expect(JSON.stringify(a.detail)).not.toMatch(/cmd|hidden|3339998888/);
      }
    }
  });
});

describe('settings', () => {
  it('validates with an error summary, and a change reaches the public slots at once', async () => {
    const cookie = await as('desk_operator');
    const bad = await send(
      settingsPath('quarto-oggiaro'),
      { intent: 'settings', slotMinutes: '7', capacityPerSlot: '1', minNoticeMinutes: '120', maxDaysAhead: '56' },
      cookie,
    );
    expect(bad.url).toBe(settingsPath('quarto-oggiaro'));
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('href="#slotMinutes"');
    expect(bad.html).toMatch(/id="slotMinutes" name="slotMinutes" value="7"/);
    const hours = await send(
      settingsPath('quarto-oggiaro'),
      { intent: 'hours', 'opens-2-0': '13:00', 'closes-2-0': '10:00' },
      cookie,
    );
    expect(hours.status).toBe(422);
    expect(hours.html).toContain('href="#closes-2-0"');
    expect(hours.html).toContain('value="10:00"');
    // Something already removed (another tab, Back and resend): 404 with a message, on a GET.
    const gone = await send(
      settingsPath('quarto-oggiaro', 'en'),
      { intent: 'removeClosure', closure: '999999' },
      cookie,
    );
    expect(gone.url).toBe(settingsPath('quarto-oggiaro', 'en'));
    expect(gone.status).toBe(404);
    expect(gone.html).toContain('It is no longer there');

    // An extra opening on a Thursday (the desk opens on Tuesdays): the slots API, cached, shows it at once.
    const today = romeDateString(new Date());
    let thursday = addDays(today, 7);
    while (new Date(`${thursday}T12:00:00Z`).getUTCDay() !== 4) thursday = addDays(thursday, 1);
    const before = await get(`/api/v1/desks/quarto-oggiaro/slots?from=${thursday}&to=${thursday}`);
    expect(JSON.parse(before.body)).toEqual([]);
    const added = await post(
      settingsPath('quarto-oggiaro'),
      { intent: 'addExtra', extraDay: thursday, extraOpens: '15:00', extraCloses: '16:00' },
      cookie,
    );
    expect(added.status).toBe(303);
    expect(location(added)).toContain('fatto=extraAdded');
    const after = await get(`/api/v1/desks/quarto-oggiaro/slots?from=${thursday}&to=${thursday}`);
    expect((JSON.parse(after.body) as ApiSlot[]).map((s) => s.start.slice(11, 16))).toEqual(['15:00', '15:30']);
    const page = await get(settingsPath('quarto-oggiaro'), cookie);
    expect(page.html).toContain('15:00–16:00');
  });
});

describe('a closure and the desk’s recurring activity', () => {
  it('cancels the activity’s date that day: the staff page says so, the date’s page says cancelled, the .ics has EXDATE', async () => {
    const cookie = await as('desk_operator');
    const events = JSON.parse((await get('/api/v1/events?limit=100')).body) as {
      slug: string;
      series: null | { slug: string; occurrences: { date: string; slug: string }[] };
    }[];
    const series = events.find((e) => e.series?.slug === 'spazio-mamma-bambino-quarto-oggiaro')!;
    // A Tuesday about six weeks ahead, clear of this file's other closures.
    const date = series.series!.occurrences[6]!;
    const added = await post(
      settingsPath('quarto-oggiaro'),
      { intent: 'addClosure', closureDay: date.date, closureReason: 'Disinfestazione' },
      cookie,
    );
    expect(added.status).toBe(303);
    expect(location(added)).toContain('attivita=1');
    const page = await get(location(added)!, cookie);
    expect(page.html).toContain('Annullata 1 data di un’attività che si tiene in questo sportello');
    const datePage = await get(`/it/eventi/${date.slug}`);
    expect(datePage.html).toContain('Questo evento è stato annullato.');
    const ics = await get(`/it/eventi/${series.series!.occurrences[0]!.slug}.ics`);
    expect(ics.body).toContain(`EXDATE;TZID=Europe/Rome:${date.date.replaceAll('-', '')}T`);
  });
});

describe('every form is an action that asks `can` on the desk first', () => {
  /** What a desk's agenda day and settings page show (the phone form's fresh submission key left out). */
  const stateOf = async (desk: string, day: string, cookie: string) => [
    (await get(agendaPath(desk, day), cookie)).html.replace(/name="submissionKey" value="[^"]*"/, ''),
    (await get(settingsPath(desk), cookie)).html,
  ];

  it('refuses the operator of another desk (403) on each of the ten actions, with nothing changed', async () => {
    const [slot] = await freeSlots('gallaratese');
    const made = await bookThroughApi('gallaratese', slot!, { name: 'Fuori ambito' });
    const coordinator = await as('coordinator');
    const operator = await as('desk_operator');
    const day = dayOf(slot!.start);
    const later = addDays(romeDateString(new Date()), 60);
    // A closure and an extra opening of Gallaratese for the removals to aim at.
    const setUp: Record<string, string>[] = [
      { intent: 'addClosure', closureDay: later, closureReason: 'Inventario' },
      { intent: 'addExtra', extraDay: addDays(later, 1), extraOpens: '08:00', extraCloses: '09:00' },
    ];
    for (const fields of setUp)
      expect((await post(settingsPath('gallaratese'), fields, coordinator)).status, fields.intent).toBe(303);
    const settings = await get(settingsPath('gallaratese'), coordinator);
    const closure = /name="closure" value="(\d+)"/.exec(settings.html)?.[1];
    const opening = /name="opening" value="(\d+)"/.exec(settings.html)?.[1];
    expect(closure && opening).toBeTruthy();
    const { bookingId } = rowOf(await get(agendaPath('gallaratese', day), coordinator), made.reference);
    const before = await stateOf('gallaratese', day, coordinator);

    const onAgenda: Record<string, string>[] = [
      { intent: 'attended', booking: bookingId! },
      { intent: 'no_show', booking: bookingId! },
      { intent: 'cancel', booking: bookingId! },
      { intent: 'cancelConfirmed', booking: bookingId! },
      { intent: 'book', slot: new Date(slot!.start).toISOString(), firstName: 'Intrusa', locale: 'it' },
    ];
    for (const fields of onAgenda) {
      const res = await post(agendaPath('gallaratese', day), fields, operator);
      expect(res.status, fields.intent).toBe(403);
      expect(res.body).not.toContain(made.reference);
    }
    const onSettings: Record<string, string>[] = [
      { intent: 'settings', slotMinutes: '15', capacityPerSlot: '9', minNoticeMinutes: '0', maxDaysAhead: '5' },
      { intent: 'hours', 'opens-1-0': '08:00', 'closes-1-0': '09:00' },
      { intent: 'addClosure', closureDay: addDays(later, 2), closureReason: '' },
      { intent: 'removeClosure', closure: closure! },
      { intent: 'addExtra', extraDay: addDays(later, 3), extraOpens: '08:00', extraCloses: '09:00' },
      { intent: 'removeExtra', opening: opening! },
    ];
    for (const fields of onSettings)
      expect((await post(settingsPath('gallaratese'), fields, operator)).status, fields.intent).toBe(403);
    expect(await stateOf('gallaratese', day, coordinator)).toEqual(before);
  });

  it('answers bad input with a message (a form) or a 400 (a button), and changes nothing', async () => {
    const [slot] = await freeSlots('quarto-oggiaro');
    const made = await bookThroughApi('quarto-oggiaro', slot!, { name: 'Rosa' });
    const cookie = await as('desk_operator');
    const day = dayOf(slot!.start);
    const agenda = agendaPath('quarto-oggiaro', day);
    const { bookingId } = rowOf(await get(agenda, cookie), made.reference);
    const before = await stateOf('quarto-oggiaro', day, cookie);

    // Forms people type in: 422, the error summary linking to the field, the answer kept.
    const typed: [string, Record<string, string>, string, string][] = [
      [
        agenda,
        {
          intent: 'book',
          slot: new Date(slot!.start).toISOString(),
          firstName: 'Rosa',
          phone: 'abc',
          topic: 'karaoke',
        },
        '#phone',
        'value="abc"',
      ],
      [settingsPath('quarto-oggiaro'), { intent: 'addClosure', closureDay: '2026-02-30' }, '#closureDay', '2026-02-30'],
      [
        settingsPath('quarto-oggiaro'),
        { intent: 'addExtra', extraDay: addDays(day, 1), extraOpens: '25:00', extraCloses: '26:00' },
        '#extraOpens',
        'value="25:00"',
      ],
    ];
    for (const [path, fields, href, kept] of typed) {
      const res = await send(path, fields, cookie);
      expect(res.status, fields.intent).toBe(422);
      expect(res.url, fields.intent).toBe(path);
      expect(res.html).toContain(`href="${href}"`);
      expect(res.html).toContain(kept);
    }
    const book = await send(agenda, typed[0]![1], cookie);
    expect(book.html).toContain('href="#topic"'); // every problem at once, the desk's topics included
    // The refused fields point to their messages (SelectField, TextareaField).
    expect(book.html).toMatch(/<select id="topic" name="topic" aria-describedby="topic-error" aria-invalid="true"/);
    expect(book.html).toMatch(/<textarea id="note" name="note" rows="3" aria-describedby="note-hint"/);

    // Buttons nobody types in: a hand-made value is a bad request.
    const buttons: [string, Record<string, string>][] = [
      [agenda, { intent: 'attended', booking: 'x' }],
      [agenda, { intent: 'cancel', booking: '' }],
      [agenda, { intent: 'cancelConfirmed', booking: '-1' }],
      [`${agenda}&_action=agenda.markAttendance`, { intent: 'maybe', booking: bookingId! }],
      [settingsPath('quarto-oggiaro'), { intent: 'removeClosure', closure: 'abc' }],
      [settingsPath('quarto-oggiaro'), { intent: 'removeExtra', opening: '0' }],
    ];
    for (const [path, fields] of buttons) expect((await post(path, fields, cookie)).status, fields.intent).toBe(400);
    // A POST to the page itself, without an action: 400, nothing read.
    expect(
      (
        await request(agenda, {
          method: 'POST',
          cookie,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
          body: 'intent=attended&booking=1',
        })
      ).status,
    ).toBe(400);
    expect(await stateOf('quarto-oggiaro', day, cookie)).toEqual(before);
  });
});
