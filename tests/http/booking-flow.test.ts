// The HTML booking flow over plain HTTP, as a browser without JavaScript uses it: GET links and
// forms, POST → 303 → GET on every step with the answers in the draft cookie (each person here has
// their own cookie jar). Also cancelling and moving, the spam and
// origin checks, and the rate limits' readable 429 page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { weekStart } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { loggedMails } from '../support/mail-log.ts';
import { messages } from '#/lib/i18n.ts';
import { HREFLANG, LOCALES, textDirection } from '#/lib/locales.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { decodeEntities as decode } from '../support/html-form.ts';
import { tagAttributes as attrs } from '../support/html-attributes.ts';

let server: RunningServer;
beforeAll(async () => {
  // No minimum fill time here (a separate server below proves it), and limits this file never reaches.
  server = await startServer({
    FORM_MIN_FILL_SECONDS: '0',
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000',
    // Every person here books from 127.0.0.1, many with the same phone: the hold limits are
    // proven in tests/integration/booking-holds.test.ts.
    MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
    HOLDS_PER_CLIENT: '10000',
    BOOKINGS_PER_CONTACT_PER_DESK: '10000',
    BOOKINGS_PER_CONTACT: '10000',
  });
});
afterAll(async () => {
  await server?.stop();
});

type Fields = [string, string][];
interface Page {
  status: number;
  html: string;
  headers: Headers;
  url: string;
  jar: Jar;
}

async function request(srv: RunningServer, path: string, init: RequestInit = {}, jar = new Jar()): Promise<Page> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set('Cookie', jar.header());
  const res = await fetch(srv.origin + path, { redirect: 'manual', ...init, headers });
  jar.store(res.headers);
  return { status: res.status, html: await res.text(), headers: res.headers, url: path, jar };
}
const get = (path: string, srv = server, jar?: Jar) => request(srv, path, {}, jar);
function post(path: string, fields: Fields, srv = server, origin = srv.origin, jar?: Jar): Promise<Page> {
  return request(
    srv,
    path,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      body: new URLSearchParams(fields).toString(),
    },
    jar,
  );
}

/**
 * Follows the 303s between the steps of a form, as a browser does: the booking flow's steps, the
 * cancel-by-reference form and its confirmation, the manage page's move step; not the one to an
 * outcome (confirmation, "cancelled", "moved").
 */
async function follow(page: Page, srv = server): Promise<Page> {
  let at = page;
  for (let hops = 0; at.status === 303 && hops < 5; hops++) {
    const location = at.headers.get('location')!;
    if (
      !/\/prenota(\/(dettagli|contatti|riepilogo))?(\?|$)|\/prenotazione\/annulla(\?passo=conferma)?$|\/prenotazione\/gestisci\?.*azione=sposta/.test(
        location,
      )
    )
      break;
    at = await get(location, srv, at.jar);
  }
  return at;
}

/** The page's n-th form as a browser would send it: hidden fields and checked choices. */
function form(page: Page, index = 0): { action: string; method: string; fields: Fields } {
  const forms = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const match = forms[index];
  if (!match) throw new Error(`no form #${index} on ${page.url} (${page.status}):\n${page.html.slice(0, 2000)}`);
  const formAttrs = attrs(`<form ${match[1]}`);
  const fields: Fields = [];
  for (const input of match[2]!.matchAll(/<input\b[^>]*>/g)) {
    const a = attrs(input[0]);
    if (!a.name) continue;
    if ((a.type === 'radio' || a.type === 'checkbox') && !('checked' in a)) continue;
    fields.push([a.name, a.value ?? '']);
  }
  for (const area of match[2]!.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g))
    fields.push([attrs(`<t ${area[1]}`).name!, decode(area[2]!)]);
  return { action: formAttrs.action ?? page.url, method: (formAttrs.method ?? 'get').toLowerCase(), fields };
}

/** Fields with some values set (replacing those of the same name). */
function fill(fields: Fields, values: Record<string, string>): Fields {
  return [...fields.filter(([name]) => !(name in values)), ...Object.entries(values)];
}

async function submit(page: Page, values: Record<string, string> = {}, index = 0, srv = server): Promise<Page> {
  const f = form(page, index);
  const fields = fill(f.fields, values);
  if (f.method === 'get')
    return get(`${f.action}${f.action.includes('?') ? '&' : '?'}${new URLSearchParams(fields)}`, srv, page.jar);
  return follow(await post(f.action, fields, srv, srv.origin, page.jar), srv);
}

const radios = (page: Page, name: string) =>
  [...page.html.matchAll(new RegExp(`<input type="radio" name="${name}"[^>]*value="([^"]*)"`, 'g'))].map((m) =>
    decode(m[1]!),
  );
const weekOfSlot = (slot: string) => weekStart(romeDateString(new Date(slot)));
const bookingPage = (desk: string, locale = 'it') => `/${locale}/sportelli/${desk}/prenota`;

async function freeSlotsInWeekOf(desk: string, slot: string, srv = server): Promise<string[]> {
  return radios(await get(`${bookingPage(desk)}?settimana=${weekOfSlot(slot)}`, srv), 'slot');
}

interface Person {
  firstName: string;
  phone?: string;
  email?: string;
  locale?: string;
  topic?: string;
  note?: string;
}

/** GET choose → GET details → POST contacts → POST check answers: the check answers page. */
async function reachCheckAnswers(
  desk: string,
  person: Person,
  options: { locale?: string; slotIndex?: number; weeksAhead?: number; srv?: RunningServer } = {},
) {
  const srv = options.srv ?? server;
  const locale = options.locale ?? 'it';
  let choose = await get(bookingPage(desk, locale), srv, new Jar());
  if (options.weeksAhead) {
    // A week no other test books in, so this test's slot is free whatever ran before it.
    const first = radios(choose, 'slot')[0]!;
    const later = new Date(`${weekOfSlot(first)}T12:00:00Z`);
    later.setUTCDate(later.getUTCDate() + 7 * options.weeksAhead);
    choose = await get(`${bookingPage(desk, locale)}?settimana=${later.toISOString().slice(0, 10)}`, srv, choose.jar);
  }
  expect(choose.status).toBe(200);
  const slot = radios(choose, 'slot')[options.slotIndex ?? 0]!;
  expect(slot).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
  const details = await submit(choose, { slot }, 0, srv);
  expect(details.status, details.html).toBe(200);
  const contacts = await submit(details, { topic: person.topic ?? 'orientation', note: person.note ?? '' }, 0, srv);
  expect(contacts.status, contacts.html).toBe(200);
  const values: Record<string, string> = {
    firstName: person.firstName,
    phone: person.phone ?? '',
    email: person.email ?? '',
    privacyAccepted: 'yes',
  };
  if (person.locale) values.locale = person.locale;
  const check = await submit(contacts, values, 0, srv);
  expect(check.status, check.html).toBe(200);
  return { slot, check };
}

/**
 * "Confirm" held the place and sent a code (`held`: its 303 to the code step): the code step, and
 * the code typed in as it arrived (`typed` turns it into what the person types), posted.
 */
async function enterCode(held: Page, seen: number, typed = (code: string) => code, srv = server) {
  expect(held.status, held.html).toBe(303);
  expect(held.headers.get('location')).toMatch(/\/prenota\/codice$/);
  const codeStep = await get(held.headers.get('location')!, srv, held.jar);
  expect(codeStep.status, codeStep.html).toBe(200);
  const f = form(codeStep);
  // The newest code written is this hold's once its message is out; one of an earlier test's
  // hold, written late, is refused, and the next newer one is tried (a hold allows 5 tries).
  let after = seen;
  for (let tries = 0; ; tries++) {
    const { id, code } = await nextCodeFromMail(srv.output, after);
    const answer = await post(f.action, [['code', typed(code)]], srv, srv.origin, codeStep.jar);
    if (!answer.headers.get('location')?.endsWith('/prenota/codice') || tries === 3) return { codeStep, code, answer };
    after = id;
  }
}

async function book(
  desk: string,
  person: Person,
  options: { locale?: string; slotIndex?: number; weeksAhead?: number } = {},
) {
  const { slot, check } = await reachCheckAnswers(desk, person, options);
  const seen = lastCodeMailId(server.output());
  const { answer: done } = await enterCode(await submit(check), seen);
  expect(done.status, done.html).toBe(303);
  const location = done.headers.get('location')!;
  const confirmation = await get(location, server, done.jar);
  expect(confirmation.status).toBe(200);
  const reference = /QB-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(confirmation.html)?.[0];
  expect(reference).toBeTruthy();
  return { slot, check, location, confirmation, reference: reference! };
}

/** The "moved" SMS the file sender has written so far. */
const movedSms = () => [...server.output().matchAll(/\[sms\] booking_moved #\d+ written to/g)];

/** The manage link of a booking, from the confirmation emails the file mailer logs (the worker runs every 5 s). */
async function manageLinkFor(reference: string): Promise<string> {
  const checked = new Set<string>();
  for (let i = 0; i < 100; i++) {
    for (const mail of await loggedMails(server.output(), 'booking_confirmation', /\/prenotazione\/gestisci\?token=/)) {
      const url = new URL(mail.url);
      const link = url.pathname + url.search;
      if (checked.has(link)) continue;
      checked.add(link);
      if ((await get(link)).html.includes(reference)) return link;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no manage link for ${reference} in the log:\n${server.output()}`);
}

describe('booking without JavaScript', () => {
  it('walks from the desk page to a confirmation with reference, details and a calendar file', async () => {
    const desk = await get('/it/sportelli/gallaratese');
    expect(desk.html).toContain(`href="${bookingPage('gallaratese')}"`);
    expect(desk.html).toContain('href="tel:+393451552523"');

    const choose = await get(bookingPage('gallaratese'));
    expect(choose.headers.get('cache-control')).toBe('no-store');
    expect(choose.html).toMatch(/<fieldset class="slot-day">\s*<legend>mercoledì \d+ \w+ \d{4}<\/legend>/);
    expect(choose.html).toContain('?settimana=');

    const person = {
      firstName: 'Giulia',
      email: 'giulia@example.org',
      phone: '',
      note: "Vorrei sapere dell'asilo nido.",
    };
    const { slot, check, location, confirmation, reference } = await book('gallaratese', person);
    // Check answers showed everything, with a change button per step.
    expect(check.html).toContain('Giulia');
    expect(check.html).toContain('giulia@example.org');
    expect(check.html).toContain('href="/it/sportelli/gallaratese/prenota/dettagli"');
    expect(check.html).toContain('href="/it/sportelli/gallaratese/prenota/contatti"');
    // Personal data never appears in an address.
    expect(location).toMatch(
      /^\/it\/sportelli\/gallaratese\/prenota\/confermata\?c=[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{32}$/,
    );
    for (const f of [
      form(check),
      form(await follow(await get(`${bookingPage('gallaratese')}/dettagli?slot=${encodeURIComponent(slot)}`))),
    ]) {
      expect(f.action).not.toMatch(/Giulia|giulia|asilo/);
    }
    // Nor in the page's forms: the answers wait in the sealed draft cookie.
    expect(JSON.stringify(form(check).fields)).not.toMatch(/Giulia|giulia|asilo/);
    expect([...check.jar.cookies.values()].join()).not.toMatch(/Giulia|giulia|asilo/);

    expect(confirmation.headers.get('cache-control')).toBe('no-store');
    expect(confirmation.html).toContain('Prenotazione confermata');
    expect(confirmation.html).toContain('Via Cilea 6, 20151 Milano');
    expect(confirmation.html).toContain('href="tel:+393451552523"');
    expect(confirmation.html).toContain('Cosa portare');
    // The desk's own "what to bring", its lines and the map links (issue #14).
    expect(confirmation.html).toContain('Un documento d&#39;identità e, se li hai, i documenti dei servizi');
    expect(confirmation.html).toContain('M1 Bonola; bus 68, 69');
    expect(confirmation.html).toContain('href="geo:45.4957,9.1128?q=');
    expect(confirmation.html).toMatch(/mercoledì \d+ \w+ \d{4}/);
    expect(confirmation.html).toContain('Ti abbiamo mandato un&#39;email');
    expect(confirmation.html).not.toContain('giulia@example.org');

    const icsPath = decode(/href="([^"]*appuntamento\.ics[^"]*)"/.exec(confirmation.html)![1]!);
    const ics = await get(icsPath);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    expect(ics.html).toContain('SUMMARY:Spazio QuBì Gallaratese');
    expect(ics.html).toContain('LOCATION:Via Cilea 6\\, 20151 Milano');
    expect(ics.html).toContain(`DTSTART:${slot.replace(/[-:]/g, '').replace('.000', '')}`);
    expect(ics.html).not.toMatch(/Giulia|giulia|asilo/);
    expect(reference).toMatch(/^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/);

    // Capacity 1: the slot is no longer offered; a forged link to the confirmation is refused.
    expect(await freeSlotsInWeekOf('gallaratese', slot)).not.toContain(slot);
    expect((await get(location.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(404);
    expect((await get(location.replace('/gallaratese/', '/villapizzone/'))).status).toBe(404);
  });

  it('books with a phone number only, in Arabic, typed with Arabic-Indic digits', async () => {
    const { confirmation, check } = await book(
      'quarto-oggiaro',
      { firstName: 'أمينة', phone: '٣٥١ ٢٢٢ ٣٣٣٣', locale: 'ar' },
      { locale: 'ar' },
    );
    expect(check.html).toContain('<html lang="ar" dir="rtl"');
    expect(check.html).toContain('351 222 3333');
    expect(confirmation.html).toContain('<html lang="ar" dir="rtl"');
    expect(confirmation.html).toContain('تم تأكيد الحجز');
    expect(confirmation.html).toContain('href="/ar/prenotazione/annulla"');
  });

  it('speaks each of the site’s languages at every step, with no untranslated text', async () => {
    const main = (p: Page) => /<main[\s\S]*<\/main>/.exec(p.html)![0];
    for (const [locale, lang, dir] of LOCALES.map((l) => [l, HREFLANG[l], textDirection(l)] as const)) {
      const { check, confirmation } = await book(
        'quarto-oggiaro',
        { firstName: 'Test', phone: '333 100 2000', locale },
        { locale },
      );
      const pages = [
        check,
        confirmation,
        await get(`/${locale}/prenotazione/annulla`),
        await get(bookingPage('quarto-oggiaro', locale)),
      ];
      for (const p of pages) {
        expect(p.html, p.url).toContain(`<html lang="${lang}" dir="${dir}"`);
        expect(main(p), p.url).not.toMatch(/\b(booking|manage)\.[a-zA-Z]+/);
      }
    }
  });

  it('shows validation errors with the GOV.UK error summary and keeps what was typed', async () => {
    const choose = await get(bookingPage('villapizzone'), server, new Jar());
    // No time chosen.
    const noSlot = await submit(choose, {});
    expect(noSlot.status).toBe(422);
    expect(noSlot.html).toMatch(/<title>Errore: /);
    expect(noSlot.html).toMatch(/<div class="error-summary" role="alert"[^>]*>[\s\S]*href="#slots"/);

    const slot = radios(choose, 'slot')[0]!;
    const details = await submit(choose, { slot });
    // A note over 200 characters: the details step again, note kept.
    const longNote = `${'Una nota lunga. '.repeat(13)}fine`;
    const tooLong = await submit(details, { topic: 'listening', note: longNote });
    expect(tooLong.status).toBe(422);
    expect(tooLong.html).toContain('href="#note"');
    expect(tooLong.html).toMatch(
      /<textarea id="note" name="note" rows="3" aria-describedby="note-hint note-warning note-error" aria-invalid="true">Una nota lunga/,
    );
    expect(tooLong.html).toMatch(/<input type="radio" name="topic" id="topic-1" value="listening" checked/);

    const contacts = await submit(tooLong, { note: 'Breve.' });
    expect(contacts.status).toBe(200);
    const invalid = await submit(contacts, { firstName: '  ', phone: '12ab', email: 'not-an-email' });
    expect(invalid.status).toBe(422);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(invalid.html)![0];
    expect([...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1])).toEqual(['firstName', 'phone', 'email']);
    expect(invalid.html).toMatch(
      /<input type="tel" id="phone" name="phone" value="12ab"[^>]*aria-describedby="phone-error" aria-invalid="true"/,
    );
    expect(invalid.html).toMatch(
      /<input type="email" id="email" name="email" value="not-an-email"[^>]*aria-describedby="email-hint email-error" aria-invalid="true"/,
    );
    expect(invalid.html).toContain('id="phone-error"');

    // Neither email nor phone.
    const noContact = await submit(invalid, { firstName: 'Luca', phone: '', email: '', privacyAccepted: 'yes' });
    expect(noContact.status).toBe(422);
    expect(noContact.html).toContain('Lascia un numero di telefono o un indirizzo email');
    // The earlier steps' answers are still kept: check answers shows them once the contact is given.
    const check = await submit(noContact, { phone: '333 222 4444' });
    expect(check.status, check.html).toBe(200);
    expect(check.html).toContain('Breve.');
    expect(check.html).toContain('Ascolto');
    expect(check.html).toMatch(
      new RegExp(
        `<dd>[^<]+, <span dir="ltr" class="nowrap">${new Date(slot).toLocaleTimeString('it', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome' })}`,
      ),
    );
  });

  it('books once when the confirm form is sent twice', async () => {
    const { slot, check } = await reachCheckAnswers(
      'gallaratese',
      { firstName: 'Sara', phone: '333 444 5555' },
      { slotIndex: 1 },
    );
    const seen = lastCodeMailId(server.output());
    const [held, heldAgain] = await Promise.all([submit(check), submit(check)]);
    // Both lead to the code step of the same hold; its code confirms it.
    expect(heldAgain.headers.get('location')).toBe(held.headers.get('location'));
    const { answer: first } = await enterCode(held, seen);
    const second = await submit(check);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    // Each answer leads to the confirmation of the same booking. (The links themselves may differ:
    // each is signed with its own expiry, to the second.)
    const referenceAt = async (answer: Page) => {
      const shown = await get(answer.headers.get('location')!, server, answer.jar);
      expect(shown.status).toBe(200);
      return /QB-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(shown.html)?.[0];
    };
    const reference = await referenceAt(first);
    expect(reference).toBeDefined();
    expect(await referenceAt(second)).toBe(reference);
    const again = await submit(check);
    expect(again.status).toBe(303);
    expect(await referenceAt(again)).toBe(reference);
    expect(await freeSlotsInWeekOf('gallaratese', slot)).not.toContain(slot);
  });

  it('offers the next free times when the chosen one was taken meanwhile, keeping the answers', async () => {
    const { slot, check: late } = await reachCheckAnswers(
      'villapizzone',
      { firstName: 'Omar', phone: '333 777 8888' },
      { slotIndex: 2 },
    );
    const { check: early } = await reachCheckAnswers(
      'villapizzone',
      { firstName: 'Ines', phone: '333 999 0000' },
      { slotIndex: 2 },
    );
    expect((await submit(early)).status).toBe(303);

    const taken = await submit(late);
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('Questo orario non è più libero');
    const alternatives = radios(taken, 'slot');
    expect(alternatives.length).toBeGreaterThan(0);
    expect(alternatives).not.toContain(slot);
    expect(JSON.stringify(form(taken).fields)).not.toContain('Omar');
    const check = await submit(taken, { slot: alternatives[0]! });
    expect(check.status).toBe(200);
    expect(check.html).toContain('Omar');
    expect((await submit(check)).status).toBe(303);
  });

  it('the code step: says where the code went, refuses a wrong code, limits "send again", switches to email', async () => {
    const { check } = await reachCheckAnswers(
      'gallaratese',
      { firstName: 'Yusuf', phone: '333 909 1234' },
      { slotIndex: 2 },
    );
    const seen = lastCodeMailId(server.output());
    const held = await submit(check);
    expect(held.headers.get('location')).toBe(`${bookingPage('gallaratese')}/codice`);
    const step = await get(held.headers.get('location')!, server, held.jar);
    expect(step.status).toBe(200);
    expect(step.headers.get('cache-control')).toBe('no-store');
    expect(step.html).toContain('+39 ••• 1234');
    expect(step.html).not.toContain('909');
    expect(step.html).toMatch(/<input[^>]*id="code"[^>]*autocomplete="one-time-code"[^>]*inputmode="numeric"/);
    const codeForm = form(step, 0);
    const resendForm = form(step, 1);
    const emailForm = form(step, 2);
    // Not six digits, then a wrong code: 422 with the message, once.
    const short = await post(codeForm.action, [['code', '12 34']], server, server.origin, step.jar);
    expect((await follow(short)).status).toBe(303);
    const shortPage = await get(`${bookingPage('gallaratese')}/codice`, server, step.jar);
    expect(shortPage.status).toBe(422);
    expect(shortPage.html).toContain('Scrivi le 6 cifre del codice.');
    const { code } = await nextCodeFromMail(server.output, seen);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await post(codeForm.action, [['code', wrong]], server, server.origin, step.jar);
    const wrongPage = await get(`${bookingPage('gallaratese')}/codice`, server, step.jar);
    expect(wrongPage.status).toBe(422);
    expect(wrongPage.html).toContain('Tentativi rimasti: 4.');
    expect((await get(`${bookingPage('gallaratese')}/codice`, server, step.jar)).status).toBe(200);
    // "Send again" right away: wait a minute (429).
    await post(resendForm.action, resendForm.fields, server, server.origin, step.jar);
    const soon = await get(`${bookingPage('gallaratese')}/codice`, server, step.jar);
    expect(soon.status).toBe(429);
    expect(soon.html).toMatch(/Aspetta \d+ secondi/);
    // "Use email instead" with no email given: an address typed here, checked, then the code goes there.
    await post(emailForm.action, [['email', 'not an email']], server, server.origin, step.jar);
    expect((await get(`${bookingPage('gallaratese')}/codice`, server, step.jar)).status).toBe(422);
    const beforeEmail = lastCodeMailId(server.output());
    await post(emailForm.action, [['email', 'Yusuf@Example.org']], server, server.origin, step.jar);
    const switched = await get(`${bookingPage('gallaratese')}/codice`, server, step.jar);
    expect(switched.status).toBe(200);
    expect(switched.html).toContain('y•••@example.org');
    const emailed = await nextCodeFromMail(server.output, beforeEmail);
    // The first code no longer works; the emailed one confirms, with a confirmation email to that address.
    await post(codeForm.action, [['code', code]], server, server.origin, step.jar);
    expect((await get(`${bookingPage('gallaratese')}/codice`, server, step.jar)).html).toContain(
      'Tentativi rimasti: 3.',
    );
    const done = await post(codeForm.action, [['code', emailed.code]], server, server.origin, step.jar);
    expect(done.headers.get('location')).toMatch(/\/prenota\/confermata\?c=/);
  });

  it('lets the time be changed from check answers, by a link, without losing the answers', async () => {
    const { slot, check } = await reachCheckAnswers('quarto-oggiaro', {
      firstName: 'Chen',
      phone: '333 123 4567',
      locale: 'zh',
    });
    const change = decode(/<dd class="change"><a href="([^"]+)"/.exec(check.html)![1]!);
    expect(change).toBe('/it/sportelli/quarto-oggiaro/prenota');
    const week = await get(change, server, check.jar);
    expect(week.status).toBe(200);
    expect(week.html).toMatch(
      /<form method="post" action="\/it\/sportelli\/quarto-oggiaro\/prenota\?_action=bookings\.chooseTime"/,
    );
    // The chosen time is ticked; the weeks are plain links (the answers wait in the draft).
    expect(week.html).toMatch(new RegExp(`value="${slot.replace(/\./g, '\\.')}" checked`));
    expect(week.html).toMatch(
      /<a href="\/it\/sportelli\/quarto-oggiaro\/prenota\?settimana=\d{4}-\d{2}-\d{2}" rel="next">/,
    );
    const other = radios(week, 'slot').at(-1)!;
    const checkAgain = await submit(week, { slot: other });
    expect(checkAgain.status).toBe(200);
    expect(checkAgain.html).toContain('Chen');
    expect(checkAgain.html).toContain('中文');
  });

  it('answers every step with 303 to a GET that shows the answers again, in any language, until the booking is made', async () => {
    const { slot, check } = await reachCheckAnswers(
      'villapizzone',
      { firstName: 'Nadia', phone: '333 606 7070', note: 'Per il doposcuola.', locale: 'es' },
      { slotIndex: 4, weeksAhead: 1 },
    );
    const jar = check.jar;
    // The draft: one HttpOnly, SameSite=Lax cookie for the whole site (so /en/ finds what /it/ stored), an hour long.
    // Posted where the page's form posts (its action's address), as a browser does.
    const contactsForm = form(await get(`${bookingPage('villapizzone')}/contatti`, server, jar));
    const contacts = await post(contactsForm.action, contactsForm.fields, server, server.origin, jar);
    expect(contacts.status).toBe(303);
    expect(contacts.headers.get('location')).toBe(`${bookingPage('villapizzone')}/riepilogo`);
    expect(contacts.headers.get('set-cookie')).toMatch(
      /^qubi-draft-booking=[A-Za-z0-9_-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    // Back to each step (a GET, never a resent form): every answer is there, and nothing is cached.
    const details = await get(`${bookingPage('villapizzone')}/dettagli`, server, jar);
    expect(details.status).toBe(200);
    expect(details.headers.get('cache-control')).toBe('no-store');
    expect(details.html).toMatch(/<textarea id="note"[^>]*>Per il doposcuola\.<\/textarea>/);
    expect(details.html).toMatch(/<input type="radio" name="topic" id="topic-0" value="orientation" checked/);
    const week = await get(bookingPage('villapizzone'), server, jar);
    expect(week.html).toMatch(new RegExp(`value="${slot.replace(/\./g, '\\.')}" checked`));
    // The language switcher's link to the same step in Arabic keeps name and phone.
    const arabic = await get(`${bookingPage('villapizzone', 'ar')}/contatti`, server, jar);
    expect(arabic.status).toBe(200);
    expect(arabic.html).toContain('<html lang="ar" dir="rtl"');
    expect(arabic.html).toMatch(/<input type="text" id="firstName" name="firstName" value="Nadia"/);
    expect(arabic.html).toMatch(/<input type="tel" id="phone" name="phone" value="333 606 7070"/);
    expect(arabic.html).toMatch(/value="es" checked/);
    // Another desk's flow starts empty; a browser without the cookie is sent to the first step.
    expect((await get(`${bookingPage('gallaratese')}/contatti`, server, jar)).status).toBe(303);
    expect((await get(`${bookingPage('villapizzone')}/riepilogo`)).headers.get('location')).toBe(
      bookingPage('villapizzone'),
    );

    const seen = lastCodeMailId(server.output());
    const held = await post(form(check).action, form(check).fields, server, server.origin, jar);
    const { answer: done } = await enterCode(held, seen);
    expect(done.headers.get('location')).toMatch(/\/prenota\/confermata\?c=/);
    // Once booked, the answers are gone from the browser: Back to "you" starts again from the week.
    const after = await get(`${bookingPage('villapizzone')}/contatti`, server, jar);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/it\/sportelli\/villapizzone\/prenota(\?settimana=|$)/);
    expect((await follow(after)).html).not.toContain('Nadia');
  });

  it('refuses a filled honeypot, and a form posted from another site', async () => {
    const { slot, check } = await reachCheckAnswers(
      'gallaratese',
      { firstName: 'Bot', phone: '333 000 1111' },
      { slotIndex: 2 },
    );
    const trap = await submit(check, { website: 'https://spam.example' });
    expect(trap.status).toBe(400);
    expect(trap.html).toContain('Non possiamo accettare il modulo');
    const f = form(check);
    const crossSite = await post(f.action, f.fields, server, 'https://evil.example', check.jar);
    expect(crossSite.status).toBe(403);
    expect(await freeSlotsInWeekOf('gallaratese', slot)).toContain(slot);
  });
});

describe('cancelling and moving', () => {
  it('cancels with the reference code and the phone number, and frees the slot at once', async () => {
    const { slot, reference } = await book(
      'quarto-oggiaro',
      { firstName: 'Fatima', phone: '+39 340 555 6666' },
      { slotIndex: 1 },
    );
    expect(await freeSlotsInWeekOf('quarto-oggiaro', slot)).not.toContain(slot);

    const lookup = await get('/it/prenotazione/annulla');
    expect(lookup.status).toBe(200);
    // Wrong phone and unknown reference get the same answer.
    const wrongPhone = await submit(lookup, { reference, phone: '340 555 0000' });
    const unknown = await submit(lookup, { reference: 'QB-2222-22', phone: '340 555 6666' });
    expect(wrongPhone.status).toBe(422);
    expect(unknown.status).toBe(422);
    const summary = (p: Page) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(p.html)![0];
    expect(summary(wrongPhone)).toBe(summary(unknown));

    // Typed the way people type it: lower case, no dashes, spaces in the phone.
    const found = await submit(lookup, { reference: reference.toLowerCase().replace(/-/g, ''), phone: '340 555 6666' });
    expect(found.status).toBe(200);
    expect(found.url).toBe('/it/prenotazione/annulla?passo=conferma');
    expect(found.html).toContain('Vuoi annullare l&#39;appuntamento?');
    // The answers wait in the sealed draft cookie: neither the address nor the "yes" form holds them.
    expect(found.html).not.toContain('555 6666');
    expect(form(found).fields).toEqual([['step', 'confirm']]);
    // Back to the form: the answers typed are shown again.
    const back = await get('/it/prenotazione/annulla', server, found.jar);
    expect(back.html).toContain('value="340 555 6666"');
    const cancelled = await submit(found);
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('location')).toBe('/it/prenotazione/annulla?esito=annullata');
    expect((await get(cancelled.headers.get('location')!)).html).toContain('Appuntamento annullato');
    expect(await freeSlotsInWeekOf('quarto-oggiaro', slot)).toContain(slot);
    // Once cancelled, it cannot be found again.
    expect((await submit(lookup, { reference, phone: '340 555 6666' })).status).toBe(422);
  });

  it('moves a phone-only booking with the reference code and the phone number, without JavaScript', async () => {
    const { slot, reference } = await book(
      'quarto-oggiaro',
      { firstName: 'Samira', phone: '+39 340 777 8888' },
      // A week no other test books in: the first week may be short (holidays, the day's late hour).
      { slotIndex: 2, weeksAhead: 2 },
    );
    const other = await book(
      'quarto-oggiaro',
      { firstName: 'Other', phone: '+39 340 777 9999' },
      { slotIndex: 3, weeksAhead: 2 },
    );
    const lookup = await get('/ar/prenotazione/annulla');
    // A wrong phone gets the very answer an unknown reference gets.
    const wrongPhone = await submit(lookup, { reference, phone: '340 777 0000' });
    const unknown = await submit(lookup, { reference: 'QB-2222-33', phone: '340 777 8888' });
    expect(wrongPhone.status).toBe(422);
    const summary = (p: Page) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(p.html)![0];
    expect(summary(wrongPhone)).toBe(summary(unknown));
    expect(decode(summary(wrongPhone))).toContain(messages.ar['manage.lookup.notFound']);

    const found = await submit(lookup, { reference, phone: '٣٤٠ ٧٧٧ ٨٨٨٨' });
    expect(found.url).toBe('/ar/prenotazione/annulla?passo=conferma');
    expect(found.html).toContain('href="/ar/prenotazione/annulla?passo=sposta"');
    const move = await get('/ar/prenotazione/annulla?passo=sposta', server, found.jar);
    expect(move.status).toBe(200);
    expect(move.headers.get('cache-control')).toBe('no-store');
    expect(move.html).not.toContain('777 8888');
    // Another language keeps the answers: the same booking's week, in Italian.
    const italian = await get('/it/prenotazione/annulla?passo=sposta', server, found.jar);
    expect(italian.status).toBe(200);
    expect(italian.html).toContain('<html lang="it"');
    expect(radios(italian, 'slot')).toEqual(radios(move, 'slot'));

    // No time chosen, or a time taken meanwhile: back to the week, which says so; nothing moved.
    const noChoice = await submit(italian, { slot: '' });
    expect(noChoice.status).toBe(303);
    const noChoicePage = await get(noChoice.headers.get('location')!, server, found.jar);
    expect(noChoicePage.status).toBe(422);
    expect(noChoicePage.html).toContain('href="#slots"');
    const taken = await submit(italian, { slot: other.slot });
    expect(taken.status).toBe(303);
    expect(taken.headers.get('location')).toMatch(
      /^\/it\/prenotazione\/annulla\?passo=sposta&settimana=\d{4}-\d{2}-\d{2}$/,
    );
    const takenPage = await get(taken.headers.get('location')!, server, found.jar);
    expect(takenPage.status).toBe(409);
    expect(decode(takenPage.html)).toContain(messages.it['booking.error.slotTaken']);
    expect(await freeSlotsInWeekOf('quarto-oggiaro', slot)).not.toContain(slot);

    const target = radios(italian, 'slot').find((s) => s !== slot && s !== other.slot)!;
    const smsBefore = movedSms().length;
    const moved = await submit(italian, { slot: target });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe('/it/prenotazione/annulla?esito=spostata');
    const done = await get(moved.headers.get('location')!, server, found.jar);
    expect(decode(done.html)).toContain(messages.it['manage.lookup.movedTitle']);
    expect(await freeSlotsInWeekOf('quarto-oggiaro', slot)).toContain(slot);
    expect(await freeSlotsInWeekOf('quarto-oggiaro', target)).not.toContain(target);
    // The family hears of it by SMS (the worker runs every 5 s).
    for (let i = 0; i < 80 && movedSms().length === smsBefore; i++) await new Promise((r) => setTimeout(r, 250));
    expect(movedSms().length).toBeGreaterThan(smsBefore);
    // The draft is spent: Back to the move step starts over.
    const after = await get('/it/prenotazione/annulla?passo=sposta', server, found.jar);
    expect(after.status).toBe(303);
  });

  it('follows the emailed link to move the booking, then to cancel it', async () => {
    const { slot, reference } = await book(
      'villapizzone',
      { firstName: 'Marta', email: 'marta@example.org', locale: 'en' },
      { slotIndex: 3 },
    );
    const link = await manageLinkFor(reference);
    expect(link).toMatch(/^\/en\/prenotazione\/gestisci\?token=[A-Za-z0-9_-]{20,}$/);

    const manage = await get(link);
    expect(manage.status).toBe(200);
    expect(manage.headers.get('cache-control')).toBe('no-store');
    expect(manage.headers.get('referrer-policy')).toBe('same-origin');
    expect(manage.html).toContain(reference);
    expect(manage.html).not.toContain('marta@example.org');

    const move = await get(`${link}&azione=sposta`);
    expect(move.status).toBe(200);
    // No time chosen: back to the move page (a GET after the 303, nothing to resend) with the error.
    const noChoice = await submit(move, { slot: '' });
    expect(noChoice.url).toBe(`${link}&azione=sposta`);
    expect(noChoice.status).toBe(422);
    expect(noChoice.html).toContain('href="#slots"');
    const target = radios(move, 'slot').find((s) => s !== slot)!;
    const moved = await submit(move, { slot: target });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe(`${link}&esito=spostata`);
    const afterMove = await get(moved.headers.get('location')!);
    expect(afterMove.html).toContain('your appointment has been moved');
    expect(await freeSlotsInWeekOf('villapizzone', slot)).toContain(slot);
    expect(await freeSlotsInWeekOf('villapizzone', target)).not.toContain(target);

    const confirm = await get(`${link}&azione=annulla`);
    expect(confirm.html).toContain('Do you want to cancel the appointment?');
    const cancelled = await submit(confirm);
    expect(cancelled.status).toBe(303);
    const afterCancel = await get(cancelled.headers.get('location')!);
    expect(afterCancel.html).toContain('Appointment cancelled');
    expect(afterCancel.html).not.toContain('azione=sposta');
    expect(await freeSlotsInWeekOf('villapizzone', target)).toContain(target);

    expect((await get('/en/prenotazione/gestisci?token=not-a-real-token-at-all-1234')).status).toBe(404);
  });
});

describe('spam and rate limits, with the real minimum fill time', () => {
  let strict: RunningServer;
  beforeAll(async () => {
    strict = await startServer({ FORM_MIN_FILL_SECONDS: '30', RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await strict?.stop();
  });

  it('refuses a booking confirmed faster than a person can fill the form, and says why', async () => {
    const { slot, check } = await reachCheckAnswers(
      'gallaratese',
      { firstName: 'Speedy', phone: '333 222 1111' },
      { srv: strict },
    );
    const tooFast = await submit(check, {}, 0, strict);
    // The notice is a page of its own (a GET after the 303): a reload or Back never sends the form again.
    expect(tooFast.url).toBe('/it/sportelli/gallaratese/prenota/riepilogo');
    expect(tooFast.status).toBe(400);
    expect(tooFast.html).toContain('troppo in fretta');
    expect(tooFast.html).toContain('href="#confirm"');
    expect(await freeSlotsInWeekOf('gallaratese', slot, strict)).toContain(slot);
  });

  it('answers too many look-ups with 429, Retry-After and a readable page', async () => {
    const lookup = await get('/es/prenotazione/annulla', strict);
    for (let i = 0; i < 2; i++)
      expect((await submit(lookup, { reference: 'QB-2345-67', phone: '333 111 2222' }, 0, strict)).status).toBe(422);
    const limited = await submit(lookup, { reference: 'QB-2345-67', phone: '333 111 2222' }, 0, strict);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.html).toContain('<html lang="es" dir="ltr"');
    expect(limited.html).toContain('Demasiados intentos');
    expect(limited.html).toMatch(/después de las \d{2}:\d{2}/);
  });
});
