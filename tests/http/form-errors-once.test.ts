// A refused form shows its errors once: the GET right after the 303 answers 422 with the error
// summary; every later GET of the same browser (a reload, another language, the next person on a
// shared phone within the hour) shows the typed answers only, with a 200. Proved on a one-page
// form (the pledge, form-page.ts) and on a step of the booking flow (booking-steps.ts), over HTTP
// against the built server, with the draft cookie carried as a browser carries it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { fillForm, parseForm, type Fields } from '../support/html-form.ts';
import { messages } from '#/lib/i18n.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    FORM_MIN_FILL_SECONDS: '0',
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000',
  });
});
afterAll(async () => {
  await server?.stop();
});

interface Page {
  status: number;
  html: string;
  url: string;
  location: string | null;
  setCookies: string[];
}

/** One browser: its cookie jar, a GET and a form POST that does not follow the 303. */
function browser() {
  const jar = new Jar();
  const request = async (path: string, init: RequestInit = {}): Promise<Page> => {
    const headers = new Headers(init.headers);
    if (jar.cookies.size > 0) headers.set('Cookie', jar.header());
    const res = await fetch(server.origin + path, { redirect: 'manual', ...init, headers });
    jar.store(res.headers);
    return {
      status: res.status,
      html: await res.text(),
      url: path,
      location: res.headers.get('location'),
      setCookies: res.headers.getSetCookie(),
    };
  };
  return {
    jar,
    get: (path: string) => request(path),
    post: (path: string, fields: Fields) =>
      request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
        body: new URLSearchParams(fields).toString(),
      }),
  };
}

const errorSummaries = (page: Page) => (page.html.match(/class="error-summary"/g) ?? []).length;
const inputValue = (page: Page, id: string) =>
  new RegExp(`<input\\b[^>]*\\bid="${id}"[^>]*\\bvalue="([^"]*)"`).exec(page.html)?.[1];

describe('a refused form shows its errors once, and keeps its answers', () => {
  it('the pledge form: 422 with errors after the 303, then 200 with the answers on a reload and in Arabic', async () => {
    const b = browser();
    const empty = await b.get('/it/zaino-sospeso/dona');
    const form = parseForm(empty.html, empty.url);
    const quantity = form.fields.find(([name]) => name.startsWith('qty-'))![0];
    const sent = await b.post(
      form.action,
      fillForm(form, {
        [quantity]: '1',
        window: form.choices.window![0]!,
        name: 'Lucia Once',
        phone: '12ab',
      }),
    );
    expect(sent.status).toBe(303);
    expect(sent.location).toBe('/it/zaino-sospeso/dona');

    const shown = await b.get('/it/zaino-sospeso/dona');
    expect(shown.status).toBe(422);
    expect(errorSummaries(shown)).toBe(1);
    expect(shown.html).toContain(messages.it['pledge.error.phoneInvalid']!.replaceAll("'", '&#39;'));
    expect(inputValue(shown, 'phone')).toBe('12ab');
    // The draft written again without the errors: still sealed, still ending an hour after the POST at most.
    const rewritten = shown.setCookies.find((c) => c.startsWith('qubi-draft-pledge='))!;
    expect(rewritten).toMatch(/^qubi-draft-pledge=[A-Za-z0-9_-]+; Max-Age=(\d+); Path=\/; HttpOnly; SameSite=Lax$/);
    expect(Number(/Max-Age=(\d+)/.exec(rewritten)![1])).toBeLessThanOrEqual(3600);
    expect(rewritten).not.toMatch(/Lucia|12ab/);

    for (const path of ['/it/zaino-sospeso/dona', '/ar/zaino-sospeso/dona', '/it/zaino-sospeso/dona']) {
      const later = await b.get(path);
      expect(later.status, path).toBe(200);
      expect(errorSummaries(later), path).toBe(0);
      expect(later.html).not.toContain('aria-invalid="true"');
      expect(inputValue(later, 'name'), path).toBe('Lucia Once');
      expect(inputValue(later, 'phone'), path).toBe('12ab');
      expect(inputValue(later, quantity), path).toBe('1');
    }

    // Sent again with the same mistake: the errors are shown again, once.
    const again = await b.post(form.action, parseForm((await b.get('/it/zaino-sospeso/dona')).html, '').fields);
    expect(again.status).toBe(303);
    expect((await b.get('/es/zaino-sospeso/dona')).status).toBe(422);
    expect((await b.get('/es/zaino-sospeso/dona')).status).toBe(200);
  });

  it('a step of the booking flow: its errors once, then its answers only', async () => {
    const b = browser();
    const time = await b.get('/it/sportelli/gallaratese/prenota');
    const slot = /<input type="radio" name="slot"[^>]*value="([^"]+)"/.exec(time.html)![1]!;
    const timeForm = parseForm(time.html, time.url);
    expect((await b.post(timeForm.action, fillForm(timeForm, { slot }))).status).toBe(303);
    const details = await b.get('/it/sportelli/gallaratese/prenota/dettagli');
    expect(details.status).toBe(200);
    const detailsForm = parseForm(details.html, details.url);
    const toContact = await b.post(
      detailsForm.action,
      fillForm(detailsForm, { topic: detailsForm.choices.topic![0]!, note: 'Una domanda.' }),
    );
    expect(toContact.location).toBe('/it/sportelli/gallaratese/prenota/contatti');
    const contact = await b.get(toContact.location!);
    expect(contact.status).toBe(200);
    expect(errorSummaries(contact)).toBe(0);

    const contactForm = parseForm(contact.html, contact.url);
    const refused = await b.post(
      contactForm.action,
      fillForm(contactForm, { firstName: 'Nadia', phone: '12ab', privacyAccepted: 'yes' }),
    );
    expect(refused.location).toBe('/it/sportelli/gallaratese/prenota/contatti');
    const shown = await b.get(refused.location!);
    expect(shown.status).toBe(422);
    expect(errorSummaries(shown)).toBe(1);
    expect(shown.html).toContain('aria-invalid="true"');
    expect(inputValue(shown, 'phone')).toBe('12ab');

    for (const path of ['/it/sportelli/gallaratese/prenota/contatti', '/en/sportelli/gallaratese/prenota/contatti']) {
      const later = await b.get(path);
      expect(later.status, path).toBe(200);
      expect(errorSummaries(later), path).toBe(0);
      expect(later.html).not.toContain('aria-invalid="true"');
      expect(inputValue(later, 'firstName'), path).toBe('Nadia');
      expect(inputValue(later, 'phone'), path).toBe('12ab');
    }
    // The earlier step's answer is there too, and "check answers" still refuses the wrong phone.
    expect((await b.get('/it/sportelli/gallaratese/prenota/dettagli')).html).toContain('Una domanda.');
    const check = await b.get('/it/sportelli/gallaratese/prenota/riepilogo');
    expect([check.status, check.location]).toEqual([303, '/it/sportelli/gallaratese/prenota/contatti']);
  });
});
