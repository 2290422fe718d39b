// Pledges to the "zaino sospeso" campaign and volunteer sign-ups over plain HTTP against the built
// server: the HTML forms as a browser without JavaScript uses them (POST, 303, error summary, input
// kept), the confirmation, calendar and manage pages, the JSON API (concurrency, validation in the
// request's language, hostile bodies, rate limits), cache invalidation of the campaign's numbers,
// and the volunteer double opt-in and withdrawal.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { messages } from '#/lib/i18n.ts';
import { loggedMails } from '../support/mail-log.ts';
import { codeSentTo, lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { decodeEntities as decode } from '../support/html-form.ts';
import { tagAttributes as attrs } from '../support/html-attributes.ts';

const RAISED_LIMITS = {
  FORM_MIN_FILL_SECONDS: '0',
  RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '100000',
  RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '100000',
  RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '100000',
  // Every pledge here comes from one address (the tests' client): like the rate limits, the cap on
  // unconfirmed holds is raised (pledge-holds.test.ts floods one address with the default 3).
  HOLDS_PER_CLIENT: '100000',
  MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
};

let server: RunningServer;
beforeAll(async () => {
  // These tests are about what is still needed: one pledge may take a whole item here. The
  // default share (25 %) has its own server in "no one can drain the campaign" below.
  server = await startServer({ ...RAISED_LIMITS, PLEDGE_MAX_SHARE: '100' });
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
  /** The cookies of the browser that asked (the form's draft between its POST and the GET that shows it). */
  jar: Jar;
}

interface CampaignJson {
  items: { slug: string; name: string; target: number; pledged: number; remaining: number }[];
  dropOffPoints: { slug: string; name: string }[];
  collectionWindows: { id: number; dropOffPoint: string; start: string; end: string }[];
}

async function request(path: string, init: RequestInit = {}, srv = server, jar = new Jar()): Promise<Page> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set('Cookie', jar.header());
  const res = await fetch(srv.origin + path, { redirect: 'manual', ...init, headers });
  jar.store(res.headers);
  return { status: res.status, html: await res.text(), headers: res.headers, url: path, jar };
}
/** The page's markup with entities decoded, to look for translated sentences (Astro escapes ' as &#39;). */
const text = (page: Page) => decode(page.html);
const get = (path: string, srv = server, jar?: Jar) => request(path, {}, srv, jar);
function post(path: string, fields: Fields, srv = server, origin = srv.origin, jar?: Jar): Promise<Page> {
  return request(
    path,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      body: new URLSearchParams(fields).toString(),
    },
    srv,
    jar,
  );
}
function postJson(path: string, body: unknown, init: RequestInit = {}, srv = server): Promise<Response> {
  return fetch(srv.origin + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** The page's n-th POST form as a browser would send it: hidden fields, typed values, checked choices. */
function form(page: Page, index = 0): { action: string; fields: Fields } {
  const forms = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].filter((m) =>
    /method="post"/.test(m[1]!),
  );
  const match = forms[index];
  if (!match) throw new Error(`no POST form #${index} on ${page.url} (${page.status}):\n${page.html.slice(0, 3000)}`);
  const fields: Fields = [];
  for (const input of match[2]!.matchAll(/<input\b[^>]*>/g)) {
    const a = attrs(input[0]);
    if (!a.name) continue;
    if ((a.type === 'radio' || a.type === 'checkbox') && !('checked' in a)) continue;
    fields.push([a.name, a.value ?? '']);
  }
  for (const area of match[2]!.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g))
    fields.push([attrs(`<t ${area[1]}`).name!, decode(area[2]!)]);
  return { action: attrs(`<form ${match[1]}`).action ?? page.url, fields };
}

/**
 * Submits a page's form with some fields set (replacing those of the same name) and others added,
 * in the page's browser. A form sent back to itself (errors, notices) is a 303 to its own address,
 * followed as a browser does; any other 303 (confirmation, thanks, outcome) is returned as is.
 */
async function submit(
  page: Page,
  values: Record<string, string | string[]> = {},
  index = 0,
  srv = server,
): Promise<Page> {
  const f = form(page, index);
  const fields: Fields = f.fields.filter(([name]) => !(name in values));
  for (const [name, value] of Object.entries(values))
    for (const v of Array.isArray(value) ? value : [value]) fields.push([name, v]);
  const sent = await post(f.action, fields, srv, srv.origin, page.jar);
  // The form's own page: its action's address without the action's name (?_action=…).
  const self = formPage(f.action);
  if (sent.status !== 303 || sent.headers.get('location') !== self) return sent;
  return get(self, srv, page.jar);
}

/** The page a form belongs to: the address it posts to, less the Astro Action's name. */
function formPage(action: string): string {
  const url = new URL(action, 'http://x');
  url.searchParams.delete('_action');
  return url.pathname + url.search;
}

/**
 * The code step after the pledge form, without JavaScript: where the code went, one-time-code
 * autofill, the code typed as `typed` writes it, then on to the thanks page (its address returned).
 */
async function enterCode(sent: Page, recipient: string, typed = (code: string) => code, srv = server): Promise<string> {
  const location = sent.headers.get('location')!;
  expect(location).toMatch(/^\/[a-z]{2}\/zaino-sospeso\/codice\?c=[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{32}$/);
  const step = await get(location, srv, sent.jar);
  expect(step.status).toBe(200);
  expect(step.headers.get('cache-control')).toBe('no-store');
  expect(step.html).toContain('autocomplete="one-time-code"');
  expect(step.html).not.toContain(recipient);
  const code = await codeSentTo(() => srv.output(), recipient);
  const confirmed = await submit(step, { code: typed(code) }, 0, srv);
  expect(confirmed.status, confirmed.html.slice(0, 2000)).toBe(303);
  const thanks = confirmed.headers.get('location')!;
  expect(thanks).toBe(location.replace('/codice?', '/grazie?'));
  return thanks;
}

/** Confirms a pledge made through the API with the code its contact received. */
async function confirmPledge(reference: string, recipient: string, srv = server) {
  const code = await codeSentTo(() => srv.output(), recipient);
  const res = await postJson(`/api/v1/pledges/${reference}/confirm`, { code }, {}, srv);
  expect(res.status).toBe(200);
  return (await res.json()) as { reference: string; status: string; manageUrl: string | null };
}

/** Fields with some values set (replacing those of the same name). */
const fill = (fields: Fields, values: Record<string, string>): Fields => [
  ...fields.filter(([name]) => !(name in values)),
  ...Object.entries(values),
];
const inputOf = (page: Page, name: string) => {
  const tag = [...page.html.matchAll(/<input\b[^>]*>/g)].map((m) => attrs(m[0])).find((a) => a.name === name);
  if (!tag) throw new Error(`no input ${name} on ${page.url}`);
  return tag;
};
const radios = (page: Page, name: string) =>
  [...page.html.matchAll(/<input\b[^>]*>/g)]
    .map((m) => attrs(m[0]))
    .filter((a) => a.type === 'radio' && a.name === name)
    .map((a) => a.value!);
const errorSummary = (page: Page) =>
  [
    ...(/<div class="error-summary"[\s\S]*?<\/div>/.exec(page.html)?.[0] ?? '').matchAll(
      /<a href="([^"]+)">([^<]*)<\/a>/g,
    ),
  ].map((m) => [m[1], decode(m[2]!)]);

async function campaign(srv = server, locale = 'it'): Promise<CampaignJson> {
  const res = await fetch(`${srv.origin}/api/v1/campaigns/zaino-sospeso?locale=${locale}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CampaignJson;
}
const remaining = async (item: string, srv = server) =>
  (await campaign(srv)).items.find((i) => i.slug === item)!.remaining;

let phoneCounter = 0;
const nextPhone = () => `+39333${String(2000000 + phoneCounter++).slice(-7)}`;
async function pledgeBody(
  lines: { item: string; quantity: number }[],
  over: Record<string, unknown> = {},
  srv = server,
) {
  const c = await campaign(srv);
  const w = c.collectionWindows[0]!;
  return {
    campaign: 'zaino-sospeso',
    items: lines,
    dropOffPoint: w.dropOffPoint,
    collectionWindow: w.id,
    name: 'Amina',
    phone: nextPhone(),
    locale: 'it',
    privacyAccepted: true,
    ...over,
  };
}

/** The emails of a kind the file mailer wrote, each with its manage or confirmation link (read from the .eml: the log names no link). */
async function loggedLinks(kind: string, after = 0): Promise<{ id: number; url: string; file: string }[]> {
  const found = await loggedMails(server.output(), kind, /\/(gestisci|conferma)\?token=/);
  return found.filter((f) => f.id > after).map(({ id, url, file }) => ({ id, url, file }));
}
/** The first email of a kind after message #after sent to `to` (other tests' emails go by meanwhile). */
async function waitForMail(
  kind: string,
  after: number,
  to: string,
): Promise<{ id: number; url: string; file: string }> {
  for (let i = 0; i < 120; i++) {
    for (const mail of await loggedLinks(kind, after)) {
      if ((await readFile(mail.file, 'utf8')).includes(`To: ${to}`)) return mail;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${kind} email after #${after} in the log:\n${server.output().slice(-3000)}`);
}
const lastMailId = () => Math.max(0, ...[...server.output().matchAll(/\[mail\] \S+ #(\d+)/g)].map((m) => Number(m[1])));

/** The text of an .eml file with quoted-printable and base64 parts decoded, to find links in it. */
async function emailText(file: string): Promise<string> {
  const raw = await readFile(file, 'utf8');
  const qp = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const b64 = [...raw.matchAll(/\r?\n\r?\n([A-Za-z0-9+/=\r\n]{40,})/g)].map((m) =>
    Buffer.from(m[1]!.replace(/\s/g, ''), 'base64').toString('utf8'),
  );
  return [qp, ...b64].join('\n');
}

describe('pledging without JavaScript', () => {
  it('links the campaign page to the form and the home page to the volunteer sign-up', async () => {
    const page = await get('/it/zaino-sospeso');
    expect(page.html).toContain('href="/it/zaino-sospeso/dona"');
    expect(text(page)).toContain(messages.it['pledge.cta']);
    const home = await get('/ar');
    expect(home.html).toContain('href="/ar/volontari"');
    expect(home.html).not.toContain('chi-siamo#volunteer');
  });

  it('walks from the form, through its errors, to a confirmation with reference, list, place, time and calendar file', async () => {
    const before = await campaign();
    const zaino = before.items.find((i) => i.slug === 'zaino')!;
    const page = await get('/it/zaino-sospeso/dona');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const qty = inputOf(page, 'qty-zaino');
    expect(qty).toMatchObject({ type: 'number', min: '0', max: String(zaino.remaining) });
    expect(text(page)).toContain(messages.it['pledge.form.stillNeeded']!.replace('{{n}}', String(zaino.remaining)));
    expect(page.html).toMatch(/<fieldset[^>]*>\s*<legend>Dove e quando li porterai\?<\/legend>/);
    expect(radios(page, 'window').length).toBe(before.collectionWindows.length);
    expect(page.html).toContain('href="/it/privacy"');
    expect(inputOf(page, 'website')).toBeTruthy();
    expect(inputOf(page, 'formStartedAt').value).toMatch(/^\d+\./);

    // Nothing filled in: every problem at once, linked to its field, with status 422.
    const empty = await submit(page);
    expect(empty.status).toBe(422);
    expect(empty.headers.get('cache-control')).toBe('no-store');
    expect(errorSummary(empty)).toEqual([
      ['#qty-zaino', messages.it['pledge.error.itemsRequired']],
      ['#window-0', messages.it['pledge.error.windowRequired']],
      ['#name', messages.it['pledge.error.nameRequired']],
      ['#phone', messages.it['pledge.error.contactRequired']],
    ]);
    // No box to tick: the notice is a short text with its link (processing is a public task).
    expect(empty.html).not.toContain('name="privacyAccepted"');
    expect(empty.html).toMatch(/<p id="privacy-text"[^>]*>[^<]*<a href="\/it\/privacy"/);
    expect(empty.html).toContain('<title>Errore: ');

    // Too many, a bad email: the answers are kept and shown again.
    const window = radios(page, 'window')[1]!;
    const wrong = await submit(empty, {
      'qty-zaino': String(zaino.remaining + 1),
      'qty-diario': '2',
      window,
      name: 'Giulia',
      email: 'giulia@',
    });
    expect(wrong.status).toBe(422);
    expect(errorSummary(wrong)).toEqual([
      [
        '#qty-zaino',
        messages.it['pledge.error.quantityTooMany']!.replace('{{item}}', 'Zaino').replace(
          '{{max}}',
          String(zaino.remaining),
        ),
      ],
      ['#email', messages.it['pledge.error.emailInvalid']],
    ]);
    expect(inputOf(wrong, 'qty-diario').value).toBe('2');
    expect(inputOf(wrong, 'name').value).toBe('Giulia');
    expect(inputOf(wrong, 'email').value).toBe('giulia@');
    expect(form(wrong).fields).toContainEqual(['window', window]);

    const done = await submit(wrong, { 'qty-zaino': '2', email: 'giulia@example.org' });
    expect(done.status, done.html.slice(0, 2000)).toBe(303);
    // Held, the items counted, until the code sent to the email is entered.
    const location = await enterCode(done, 'giulia@example.org');
    expect(location).toMatch(/^\/it\/zaino-sospeso\/grazie\?c=[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{32}$/);

    const thanks = await get(location);
    expect(thanks.status).toBe(200);
    expect(thanks.headers.get('cache-control')).toBe('no-store');
    expect(thanks.headers.get('referrer-policy')).toBe('same-origin');
    expect(thanks.html).toMatch(/ZS-[A-Z0-9]{4}-[A-Z0-9]{2}/);
    expect(thanks.html).toContain('2</span> × Zaino</li>');
    expect(thanks.html).toContain('2</span> × Diario scolastico</li>');
    expect(text(thanks)).toContain(messages.it['pledge.done.change.email']);
    expect(thanks.html).not.toContain('Giulia');
    expect(thanks.html).not.toContain('giulia@example.org');
    const w = before.collectionWindows.find((x) => String(x.id) === window)!;
    expect(thanks.html).toContain(`datetime="${new Date(w.start).toISOString()}"`);

    const ics = /href="([^"]*consegna\.ics[^"]*)"/.exec(thanks.html)?.[1];
    expect(ics).toBeTruthy();
    const cal = await get(decode(ics!));
    expect(cal.status).toBe(200);
    expect(cal.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(cal.headers.get('cache-control')).toBe('no-store');
    expect(cal.html).toContain('BEGIN:VEVENT');
    expect(cal.html).toMatch(/UID:pledge-ZS-[A-Z0-9]{4}-[A-Z0-9]{2}@/);
    expect(cal.html).toContain(`DTSTART:${new Date(w.start).toISOString().replace(/[-:]/g, '').replace('.000', '')}`);
    expect(cal.html).not.toContain('Giulia');

    // The numbers moved at once, in the API and on the campaign page.
    const after = await campaign();
    expect(after.items.find((i) => i.slug === 'zaino')!.remaining).toBe(zaino.remaining - 2);

    // A link altered or unknown: not found, never a 5xx.
    expect((await get(location.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(404);
    expect((await get('/it/zaino-sospeso/grazie?c=zzz')).status).toBe(404);
    expect((await get('/it/zaino-sospeso/consegna.ics?c=zzz')).status).toBe(404);
  });

  it('pledges in Arabic with a phone number only, Arabic digits included', async () => {
    const before = await remaining('pastelli');
    const page = await get('/ar/zaino-sospeso/dona');
    expect(page.html).toContain('dir="rtl"');
    const done = await submit(page, {
      'qty-pastelli': '٣',
      window: radios(page, 'window')[0]!,
      name: 'أمينة',
      phone: '٣٥١ ٦٨١ ٨١٩٨',
      privacyAccepted: 'yes',
    });
    expect(done.status, done.html.slice(0, 2000)).toBe(303);
    // The code by SMS; the pledge is held meanwhile, and a wrong code first says how many tries are left.
    const step = await get(done.headers.get('location')!, server, done.jar);
    expect(step.status).toBe(200);
    expect(step.html).toContain('+39 ••• 8198');
    expect(await remaining('pastelli')).toBe(before - 3);
    const code = await codeSentTo(() => server.output(), '+393516818198');
    const wrong = await submit(step, { code: code === '000000' ? '000001' : '000000' });
    expect(wrong.status).toBe(422);
    expect(text(wrong)).toContain(messages.ar['booking.error.codeWrong']!.replace('{{count}}', '4'));
    // Typed in Arabic-Indic digits with a space, as an Arabic keyboard gives them.
    const arabic = (c: string) =>
      `${[...c]
        .map((d) => String.fromCharCode(0x0660 + Number(d)))
        .join('')
        .slice(0, 3)} ${[...c]
        .map((d) => String.fromCharCode(0x0660 + Number(d)))
        .join('')
        .slice(3)}`;
    const confirmed = await submit(wrong, { code: arabic(code) });
    expect(confirmed.status).toBe(303);
    const thanks = await get(confirmed.headers.get('location')!);
    expect(thanks.status).toBe(200);
    expect(text(thanks)).toContain(messages.ar['pledge.done.title']);
    expect(text(thanks)).toContain(messages.ar['pledge.done.change.phone']);
    expect(thanks.html).not.toContain('3516818198');
    expect(await remaining('pastelli')).toBe(before - 3);
  });

  it('a donor who goes back and pledges again holds only the new pledge; another browser with the same phone releases nothing', async () => {
    const before = await remaining('colla');
    const page = await get('/it/zaino-sospeso/dona');
    const values = { 'qty-colla': '2', window: radios(page, 'window')[0]!, name: 'Sam', phone: nextPhone() };
    const first = await submit(page, { ...values, privacyAccepted: 'yes' });
    expect(first.status).toBe(303);
    expect(await remaining('colla')).toBe(before - 2);
    // Someone else types the same phone: refused, and the donor's pending pledge keeps its items.
    const other = await get('/it/zaino-sospeso/dona');
    const refused = await submit(other, { ...values, 'qty-colla': '1', privacyAccepted: 'yes' });
    expect(text(refused)).toContain(messages.it['pledge.error.openPledge']);
    expect(await remaining('colla')).toBe(before - 2);
    // The donor goes back in their own browser and pledges 1 instead: the first hold is given back.
    const back = await get('/it/zaino-sospeso/dona', server, page.jar);
    const second = await submit(back, { ...values, 'qty-colla': '1', privacyAccepted: 'yes' });
    expect(second.status).toBe(303);
    expect(await remaining('colla')).toBe(before - 1);
  });

  it('pledges once when the same form is sent twice', async () => {
    const before = await remaining('colla');
    const page = await get('/en/zaino-sospeso/dona');
    const values = {
      'qty-colla': '1',
      window: radios(page, 'window')[0]!,
      name: 'Sam',
      phone: nextPhone(),
      privacyAccepted: 'yes',
    };
    const [a, b] = await Promise.all([submit(page, values), submit(page, values)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const [ta, tb] = await Promise.all([get(a.headers.get('location')!), get(b.headers.get('location')!)]);
    expect(/ZS-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(ta.html)?.[0]).toBe(/ZS-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(tb.html)?.[0]);
    expect(await remaining('colla')).toBe(before - 1);
  });

  it('refuses the honeypot, altered timestamps, cross-site posts and bodies that are not forms, without pledging', async () => {
    const before = await remaining('forbici');
    const page = await get('/it/zaino-sospeso/dona');
    const values = {
      'qty-forbici': '1',
      window: radios(page, 'window')[0]!,
      name: 'Bot',
      phone: nextPhone(),
      privacyAccepted: 'yes',
    };
    const bot = await submit(page, { ...values, website: 'http://spam.example' });
    expect(bot.status).toBe(400);
    expect(text(bot)).toContain(messages.it['booking.refused.title']);
    const forged = await submit(page, { ...values, formStartedAt: '1700000000000.forged' });
    expect(forged.status).toBe(400);
    expect(errorSummary(forged)).toEqual([['#submit', messages.it['pledge.error.formExpired']]]);
    // A fresh clock comes with the answer: sending again works.
    expect(inputOf(forged, 'formStartedAt').value).not.toBe('1700000000000.forged');
    const f = form(page);
    const crossSite = await post(f.action, f.fields, server, 'https://evil.example');
    expect(crossSite.status).toBe(403);
    const json = await request('/it/zaino-sospeso/dona', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.origin },
      body: '{"a":1}',
    });
    expect(json.status).toBeLessThan(500);
    const multipart = new FormData();
    multipart.set('qty-forbici', 'x'.repeat(100000));
    const big = await request('/it/zaino-sospeso/dona', {
      method: 'POST',
      headers: { Origin: server.origin },
      body: multipart,
    });
    // No form of the site is multipart: refused before the page reads it (src/server/http/http-errors.ts).
    expect(big.status).toBe(415);
    expect(await remaining('forbici')).toBe(before);
  });
});

describe('Back and the language switcher on the one-page forms', () => {
  it('answers a form with errors by 303 to itself; the GET, in any language, shows the answers again', async () => {
    const pledge = await get('/it/zaino-sospeso/dona');
    const f = form(pledge);
    const sent = await post(
      f.action,
      fill(f.fields, {
        'qty-zaino': '1',
        window: radios(pledge, 'window')[0]!,
        name: 'Lucia',
        phone: '12ab',
        privacyAccepted: 'yes',
      }),
      server,
      server.origin,
      pledge.jar,
    );
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/it/zaino-sospeso/dona');
    // The answers travel sealed: not in the address, not readable in the cookie.
    expect(`${sent.headers.get('location')} ${sent.headers.get('set-cookie')}`).not.toMatch(/Lucia|12ab/);
    const chinese = await get('/zh/zaino-sospeso/dona', server, pledge.jar);
    expect(chinese.status).toBe(422);
    expect(chinese.headers.get('cache-control')).toBe('no-store');
    expect(inputOf(chinese, 'name').value).toBe('Lucia');
    expect(inputOf(chinese, 'phone').value).toBe('12ab');
    expect(inputOf(chinese, 'qty-zaino').value).toBe('1');
    expect(errorSummary(chinese)).toEqual([['#phone', messages.zh['pledge.error.phoneInvalid']]]);
    // Another browser sees an empty form.
    expect(inputOf(await get('/it/zaino-sospeso/dona'), 'name').value).toBe('');

    const signUp = await get('/es/volontari');
    const v = form(signUp);
    const refused = await post(
      v.action,
      [...fill(v.fields, { name: 'Pablo', email: 'pablo@', consent: 'yes' }), ['municipi', '4'], ['skills', 'events']],
      server,
      server.origin,
      signUp.jar,
    );
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/es/volontari');
    const arabic = await get('/ar/volontari', server, signUp.jar);
    expect(arabic.status).toBe(422);
    expect(inputOf(arabic, 'email').value).toBe('pablo@');
    expect(inputOf(arabic, 'consent')).toHaveProperty('checked');
    expect(errorSummary(arabic).map(([href]) => href)).toContain('#email');
  });
});

describe('changing and cancelling a pledge', () => {
  it('shows the pledge, changes its quantities and cancels it, giving the items back at once', async () => {
    const before = await campaign();
    const res = await postJson(
      '/api/v1/pledges',
      await pledgeBody([{ item: 'quaderni-righe', quantity: 5 }], {
        email: 'donor@example.org',
        phone: null,
        locale: 'es',
      }),
    );
    expect(res.status).toBe(201);
    const held = (await res.json()) as { reference: string; manageUrl: string | null; status: string };
    expect(held).toMatchObject({
      status: 'pending',
      manageUrl: null,
      code_sent_to: { channel: 'email', to: 'd•••@example.org' },
    });
    const made = (await confirmPledge(held.reference, 'donor@example.org')) as { reference: string; manageUrl: string };
    expect(made.manageUrl).toMatch(/\/es\/zaino-sospeso\/gestisci\?token=[A-Za-z0-9_-]{43}$/);
    const manage = new URL(made.manageUrl);
    const path = manage.pathname + manage.search;
    const target = before.items.find((i) => i.slug === 'quaderni-righe')!;
    expect(await remaining('quaderni-righe')).toBe(target.remaining - 5);

    const page = await get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.html).toContain(made.reference);
    expect(page.html).not.toContain('donor@example.org');
    expect(inputOf(page, 'qty-quaderni-righe')).toMatchObject({ value: '5', max: String(target.remaining) });

    // More than can be given: 422, nothing changes.
    const tooMany = await submit(page, { 'qty-quaderni-righe': String(target.remaining + 1) });
    expect(tooMany.status).toBe(422);
    expect(errorSummary(tooMany)[0]?.[0]).toBe('#qty-quaderni-righe');

    const changed = await submit(page, { 'qty-quaderni-righe': '2', 'qty-zaino': '1' });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('location')).toBe(`${path}&esito=modificato`);
    expect(await remaining('quaderni-righe')).toBe(target.remaining - 2);
    const shown = await get(changed.headers.get('location')!);
    expect(text(shown)).toContain(messages.es['pledge.manage.changed']);
    expect(inputOf(shown, 'qty-zaino').value).toBe('1');

    // Cancelling asks first (a GET changes nothing), then the POST gives everything back.
    const ask = await get(`${path}&azione=annulla`);
    expect(ask.status).toBe(200);
    expect(text(ask)).toContain(messages.es['pledge.manage.cancel.title']);
    expect(await remaining('quaderni-righe')).toBe(target.remaining - 2);
    const zainoBefore = await remaining('zaino');
    const cancelled = await submit(ask);
    expect(cancelled.status).toBe(303);
    expect(await remaining('quaderni-righe')).toBe(target.remaining);
    expect(await remaining('zaino')).toBe(zainoBefore + 1);
    const after = await get(cancelled.headers.get('location')!);
    expect(text(after)).toContain(messages.es['pledge.manage.cancelledTitle']);
    expect(after.html).not.toContain('name="azione" value="modifica"');

    // A closed pledge cannot be changed any more; an unknown token is not found.
    const late = await post(
      form(page).action,
      fill(form(page).fields, { 'qty-quaderni-righe': '1' }),
      server,
      server.origin,
      page.jar,
    );
    expect(late.status).toBe(303);
    expect(late.headers.get('location')).toBe(path);
    expect(await remaining('quaderni-righe')).toBe(target.remaining);
    expect((await get('/es/zaino-sospeso/gestisci?token=nope')).status).toBe(404);
    expect((await get(`/es/zaino-sospeso/gestisci?token=${'a'.repeat(43)}`)).status).toBe(404);
  });
});

describe('POST /api/v1/pledges', () => {
  it('gives exactly what is still needed when 50 donors ask for the last 10 at the same time', async () => {
    const item = 'quaderni-quadretti';
    const start = await remaining(item);
    expect(start).toBeGreaterThan(10);
    const first = await postJson('/api/v1/pledges', await pledgeBody([{ item, quantity: start - 10 }]));
    expect(first.status).toBe(201);
    expect(await remaining(item)).toBe(10);

    const bodies = await Promise.all(Array.from({ length: 50 }, () => pledgeBody([{ item, quantity: 1 }])));
    const answers = await Promise.all(
      bodies.map(async (body) => {
        const res = await postJson('/api/v1/pledges', body);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      }),
    );
    const count = (s: number) => answers.filter((a) => a.status === s).length;
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(count(201)).toBe(10);
    expect(count(409)).toBe(40);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.error).toBe('exceeds_remaining');
      expect(a.body.remaining).toEqual({ [item]: expect.any(Number) });
    }
    const refs = answers.filter((a) => a.status === 201).map((a) => a.body.reference);
    expect(new Set(refs).size).toBe(10);
    for (const [i, a] of answers.entries()) {
      if (a.status !== 201) continue;
      expect(a.body).toMatchObject({ reference: expect.stringMatching(/^ZS-/), status: 'pending', manageUrl: null });
      // Phone only: once confirmed, the link its SMS carries.
      expect(await confirmPledge(a.body.reference as string, bodies[i]!.phone)).toMatchObject({
        status: 'pledged',
        manageUrl: expect.stringMatching(/\/zaino-sospeso\/gestisci\?token=[A-Za-z0-9_-]{20}$/),
      });
    }
    expect(await remaining(item)).toBe(0);
    const late = await postJson('/api/v1/pledges', await pledgeBody([{ item, quantity: 1 }]));
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({ error: 'exceeds_remaining', remaining: { [item]: 0 } });
    // The form says so too: the item is complete, without a field.
    const page = await get('/it/zaino-sospeso/dona');
    expect(page.html).not.toContain(`name="qty-${item}"`);
  });

  it('is all-or-nothing and idempotent with a submission key', async () => {
    const zaino = await remaining('zaino');
    const diario = await remaining('diario');
    const tooMuch = await postJson(
      '/api/v1/pledges',
      await pledgeBody([
        { item: 'zaino', quantity: 1 },
        { item: 'diario', quantity: diario + 1 },
      ]),
    );
    expect(tooMuch.status).toBe(409);
    expect(await tooMuch.json()).toEqual({ error: 'exceeds_remaining', remaining: { zaino, diario } });
    expect(await remaining('zaino')).toBe(zaino);

    const body = await pledgeBody([{ item: 'zaino', quantity: 1 }], {
      submissionKey: 'retry-4f0c2a7e',
      email: 'key@example.org',
    });
    const [a, b] = await Promise.all([postJson('/api/v1/pledges', body), postJson('/api/v1/pledges', body)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const [ja, jb] = (await Promise.all([a.json(), b.json()])) as { reference: string; manageUrl: string | null }[];
    expect(ja!.reference).toBe(jb!.reference);
    expect([ja!.manageUrl, jb!.manageUrl]).toEqual([null, null]);
    // One pledge, one code (by SMS to its mobile): its confirmation gives the link once.
    expect((await confirmPledge(ja!.reference, body.phone)).manageUrl).toMatch(/\/gestisci\?token=/);
    expect(await remaining('zaino')).toBe(zaino - 1);
  });

  it('serves the campaign from the cache until a pledge invalidates it', async () => {
    const url = `${server.origin}/api/v1/campaigns/zaino-sospeso`;
    await fetch(url).then((r) => r.arrayBuffer());
    const cached = await fetch(url);
    expect(cached.headers.get('x-astro-cache')).toBe('HIT');
    const before = ((await cached.json()) as CampaignJson).items.find((i) => i.slug === 'astuccio')!;
    await fetch(`${server.origin}/it/zaino-sospeso`).then((r) => r.arrayBuffer());
    const pageCached = await fetch(`${server.origin}/it/zaino-sospeso`);
    expect(pageCached.headers.get('x-astro-cache')).toBe('HIT');
    await pageCached.arrayBuffer();

    expect((await postJson('/api/v1/pledges', await pledgeBody([{ item: 'astuccio', quantity: 4 }]))).status).toBe(201);
    const after = (await campaign()).items.find((i) => i.slug === 'astuccio')!;
    expect(after).toMatchObject({ pledged: before.pledged + 4, remaining: before.remaining - 4 });
    const page = await get('/it/zaino-sospeso');
    expect(page.html).toContain(`value="${after.pledged}"`);
    expect(page.html).toContain(`${after.pledged} promessi su ${after.target}`);
  });

  it('explains invalid fields in the request’s language, Italian when the language is the problem', async () => {
    const c = await campaign();
    const [w1, w2] = [
      c.collectionWindows[0]!,
      c.collectionWindows.find((w) => w.dropOffPoint !== c.collectionWindows[0]!.dropOffPoint)!,
    ];
    const base = await pledgeBody([{ item: 'zaino', quantity: 1 }]);
    const es = await postJson('/api/v1/pledges', {
      ...base,
      locale: 'es',
      name: '',
      phone: 'abc',
      privacyAccepted: false,
    });
    expect(es.status).toBe(422);
    expect(await es.json()).toEqual({
      error: 'invalid',
      fields: {
        name: messages.es['pledge.error.nameRequired'],
        phone: messages.es['pledge.error.phoneInvalid'],
      },
    });
    const it = await postJson('/api/v1/pledges', { ...base, locale: 'xx' });
    expect(await it.json()).toEqual({
      error: 'invalid',
      fields: { locale: messages.it['pledge.error.localeInvalid'] },
    });
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ campaign: 'no-such-campaign' }, { campaign: 'pledge.error.campaignInvalid' }],
      [{ items: [{ item: 'jetpack', quantity: 1 }] }, { items: 'pledge.error.itemsInvalid' }],
      [{ items: [] }, { items: 'pledge.error.itemsRequired' }],
      [{ items: [{ item: 'zaino', quantity: 1001 }] }, { items: 'pledge.error.itemsInvalid' }],
      [{ dropOffPoint: 'nowhere' }, { dropOffPoint: 'pledge.error.pointInvalid' }],
      [{ dropOffPoint: w1.dropOffPoint, collectionWindow: w2.id }, { collectionWindow: 'pledge.error.windowInvalid' }],
      [{ collectionWindow: 999999 }, { collectionWindow: 'pledge.error.windowInvalid' }],
      [{ phone: null, email: null }, { phone: 'pledge.error.contactRequired' }],
    ];
    for (const [over, fields] of cases) {
      const res = await postJson('/api/v1/pledges', { ...base, locale: 'en', ...over });
      expect(res.status, JSON.stringify(over)).toBe(422);
      expect(await res.json()).toEqual({
        error: 'invalid',
        fields: Object.fromEntries(Object.entries(fields).map(([f, k]) => [f, messages.en[k]])),
      });
    }
  });

  it('answers hostile bodies with 4xx, never 5xx, and pledges nothing', async () => {
    const before = await remaining('forbici');
    const ok = await pledgeBody([{ item: 'forbici', quantity: 1 }]);
    const huge = 'x'.repeat(1024 * 1024);
    const cases: [string, RequestInit][] = [
      ['array', { body: JSON.stringify([ok]) }],
      ['null', { body: 'null' }],
      ['number', { body: '42' }],
      ['invalid JSON', { body: '{"campaign": "zaino-sospeso",' }],
      ['empty body', { body: '' }],
      ['invalid UTF-8', { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }],
      ['raw NUL in JSON', { body: `{"campaign":"zaino-sospeso\u0000"}` }],
      [
        'nested objects',
        {
          body: JSON.stringify({
            ...ok,
            name: { first: 'A' },
            phone: { $gt: '' },
            campaign: ['zaino-sospeso'],
            items: { item: 'forbici' },
            collectionWindow: { id: 1 },
          }),
        },
      ],
      [
        'numbers for strings',
        {
          body: JSON.stringify({
            ...ok,
            name: 1,
            phone: 3331234567,
            email: 5,
            campaign: 9,
            dropOffPoint: 3,
            locale: 1,
            submissionKey: 12,
          }),
        },
      ],
      [
        'strings for numbers',
        {
          body: JSON.stringify({
            ...ok,
            items: [{ item: 'forbici', quantity: '1' }],
            collectionWindow: String(ok.collectionWindow),
          }),
        },
      ],
      [
        'huge numbers',
        { body: JSON.stringify({ ...ok, items: [{ item: 'forbici', quantity: 1e300 }], collectionWindow: 2 ** 53 }) },
      ],
      [
        'negative and fractional',
        {
          body: JSON.stringify({
            ...ok,
            items: [
              { item: 'forbici', quantity: -1 },
              { item: 'forbici', quantity: 0.5 },
            ],
            collectionWindow: -1,
          }),
        },
      ],
      [
        'escaped NUL bytes',
        {
          body: JSON.stringify({
            ...ok,
            name: 'A\u0000',
            email: 'a\u0000@example.org',
            items: [{ item: 'forbici\u0000', quantity: 1 }],
            submissionKey: 'k\u0000',
          }),
        },
      ],
      ['NUL in the email only', { body: JSON.stringify({ ...ok, email: 'amina\u0000@example.org' }) }],
      ['lone surrogates', { body: '{"campaign":"zaino-sospeso","name":"\\ud800","email":"\\udfff@x.org"}' }],
      [
        'a thousand lines',
        {
          body: JSON.stringify({
            ...ok,
            items: Array.from({ length: 1000 }, () => ({ item: 'forbici', quantity: 1 })),
          }),
        },
      ],
      ['a 1 MB string', { body: JSON.stringify({ ...ok, name: huge }) }],
      [
        'a 1 MB body without Content-Length',
        { body: new Blob([JSON.stringify({ ...ok, name: huge })]).stream(), duplex: 'half' } as RequestInit,
      ],
      [
        'long strings under the cap',
        {
          body: JSON.stringify({
            ...ok,
            name: 'n'.repeat(3000),
            email: `${'e'.repeat(3000)}@x.org`,
            campaign: 'c'.repeat(3000),
            submissionKey: 'k'.repeat(100),
          }),
        },
      ],
      ['privacy as a string', { body: JSON.stringify({ ...ok, privacyAccepted: 'true' }) }],
      ['deep nesting', { body: `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}` }],
      [
        'prototype keys',
        { body: `{"__proto__":{"privacyAccepted":true},"constructor":{"prototype":{}},"campaign":"zaino-sospeso"}` },
      ],
      ['wrong content type', { body: JSON.stringify(ok), headers: { 'Content-Type': 'application/xml' } }],
      ['no content type', { body: new Blob([JSON.stringify(ok)]), headers: {} }],
    ];
    for (const [name, init] of cases) {
      const res = await postJson('/api/v1/pledges', '', init);
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      await res.arrayBuffer();
    }
    expect((await postJson('/api/v1/pledges', { ...ok, name: huge })).status).toBe(413);
    expect(
      (
        await postJson('/api/v1/pledges', '', {
          body: JSON.stringify(ok),
          headers: { 'Content-Type': 'application/xml' },
        })
      ).status,
    ).toBe(415);
    expect((await postJson('/api/v1/pledges', '[]')).status).toBe(400);
    expect(await remaining('forbici')).toBe(before);
  });
});

describe('volunteers', () => {
  it('signs up without JavaScript: the form, its errors with input kept, then "check your email"', async () => {
    const page = await get('/it/volontari');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    // Weekday × part of day as a table of labelled checkboxes.
    expect(page.html).toMatch(/<th scope="col"[^>]*>Mattina<\/th>/);
    expect(page.html).toMatch(/<th scope="row"[^>]*>lunedì<\/th>/);
    expect(page.html).toContain('value="mon-morning"');
    expect(page.html).toContain('>lunedì, Mattina</label>');
    expect(page.html).toMatch(/<legend>In quali zone puoi aiutare\?<\/legend>/);

    const empty = await submit(page);
    expect(empty.status).toBe(422);
    expect(errorSummary(empty)).toEqual([
      ['#name', messages.it['volunteer.error.nameRequired']],
      ['#email', messages.it['volunteer.error.emailRequired']],
      ['#municipi-0', messages.it['volunteer.error.municipiRequired']],
      ['#skills-0', messages.it['volunteer.error.skillsRequired']],
      ['#consent', messages.it['volunteer.error.consentRequired']],
    ]);

    const partly = await submit(empty, {
      name: 'Chiara',
      email: 'chiara@example.org',
      municipi: ['8', '2'],
      skills: ['translation', 'homework'],
      availability: ['tue-evening', 'sat-morning'],
      note: 'Parlo anche tedesco.',
      consent: 'yes',
    });
    expect(partly.status).toBe(422);
    expect(errorSummary(partly)).toEqual([['#languages-0', messages.it['volunteer.error.languagesRequired']]]);
    const kept = form(partly).fields;
    for (const f of [
      ['municipi', '8'],
      ['municipi', '2'],
      ['skills', 'translation'],
      ['availability', 'tue-evening'],
      ['availability', 'sat-morning'],
      ['consent', 'yes'],
      ['note', 'Parlo anche tedesco.'],
    ])
      expect(kept).toContainEqual(f);

    const done = await submit(partly, { languages: ['ar', 'fr'] });
    expect(done.status, done.html.slice(0, 2000)).toBe(303);
    expect(done.headers.get('location')).toBe('/it/volontari/grazie');
    const thanks = await get('/it/volontari/grazie');
    expect(thanks.status).toBe(200);
    expect(text(thanks)).toContain(messages.it['volunteer.sent.title']);
  });

  it('confirms a sign-up with the code sent by SMS to the mobile phone given, without JavaScript', async () => {
    const page = await get('/ar/volontari');
    const seenCodes = lastCodeMailId(server.output());
    const mark = lastMailId();
    const sent = await submit(page, {
      name: 'Karim',
      email: 'karim@example.org',
      phone: '+39 333 765 4321',
      municipi: ['3'],
      skills: ['events'],
      consent: 'yes',
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/ar/volontari/grazie');
    const thanks = await get('/ar/volontari/grazie', server, page.jar);
    expect(thanks.status).toBe(200);
    expect(thanks.headers.get('cache-control')).toBe('no-store');
    expect(text(thanks)).toContain(messages.ar['volunteer.code.sent']);
    expect(thanks.html).toContain('+39 ••• 4321');
    expect(thanks.html).not.toContain('765 4321');
    expect(thanks.html).toContain('autocomplete="one-time-code"');
    // A code that is not six digits: said once, in the page's language; nothing spent.
    const typo = await submit(thanks, { code: '12' });
    expect(typo.status).toBe(422);
    expect(errorSummary(typo)).toEqual([['#code', messages.ar['booking.error.codeFormat']]]);
    const { code } = await nextCodeFromMail(server.output, seenCodes);
    const wrong = await submit(typo, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(errorSummary(wrong)).toEqual([['#code', messages.ar['booking.error.codeWrong']!.replace('{{count}}', '4')]]);
    // Typed with Arabic-Indic digits and a space, as an Arabic keyboard gives them.
    const arabic = code.replace(/[0-9]/g, (d) => String.fromCharCode(0x660 + Number(d)));
    const confirmed = await submit(wrong, { code: `${arabic.slice(0, 3)} ${arabic.slice(3)}` });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/ar/volontari/conferma?esito=codice');
    const done = await get(confirmed.headers.get('location')!);
    expect(done.status).toBe(200);
    expect(text(done)).toContain(messages.ar['volunteer.code.doneTitle']);
    // Confirmed by the code, the emailed link is spent: its page says so.
    const mail = await waitForMail('volunteer_confirm_address', mark, 'karim@example.org');
    expect((await get(new URL(mail.url).pathname + new URL(mail.url).search)).status).toBe(410);
  }, 60000);

  it('offers "send the code again" without JavaScript: refused for a minute, saying how long, and the code sent still works', async () => {
    const page = await get('/es/volontari');
    const seenCodes = lastCodeMailId(server.output());
    const sent = await submit(page, {
      name: 'Tariq',
      email: 'tariq@example.org',
      phone: '+39 333 765 1111',
      municipi: ['4'],
      skills: ['events'],
      consent: 'yes',
    });
    expect(sent.headers.get('location')).toBe('/es/volontari/grazie');
    const thanks = await get('/es/volontari/grazie', server, page.jar);
    expect(text(thanks)).toContain(messages.es['booking.code.noCode']);
    // The wait the server is set to (CODE_RESEND_SECONDS, 60 by default), in the page's language.
    expect(text(thanks)).toContain(messages.es['booking.code.resendHint']!.replace('{{wait}}', '1 minuto'));
    const forms = [...thanks.html.matchAll(/<form\b[^>]*method="post"[^>]*>/g)].map((m) => decode(m[0]));
    const resend = forms.findIndex((f) => f.includes('_action=volunteers.resendCode'));
    expect(resend, forms.join('\n')).toBeGreaterThan(0);
    expect(forms[resend]).toContain('action="/es/volontari/grazie?');
    const { id: firstId, code } = await nextCodeFromMail(server.output, seenCodes);
    // At once: 429, and the wait said beside the code, in the page's language.
    const soon = await submit(thanks, {}, resend);
    expect(soon.status).toBe(429);
    const [wait] = messages.es['booking.error.resendTooSoon']!.split('{{count}}');
    const summary = errorSummary(soon);
    expect(summary).toHaveLength(1);
    expect(summary[0]![0]).toBe('#code');
    expect(summary[0]![1]).toMatch(new RegExp(`^${wait}([1-5][0-9]|60) `));
    // Said once; nothing was sent, and the code already sent still confirms.
    const again = await get('/es/volontari/grazie', server, page.jar);
    expect(again.status).toBe(200);
    expect(errorSummary(again)).toEqual([]);
    expect(lastCodeMailId(server.output())).toBe(firstId);
    const confirmed = await submit(again, { code });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/es/volontari/conferma?esito=codice');
    // Confirmed: no code left to send again, so no button.
    const after = await get('/es/volontari/grazie', server, page.jar);
    expect(after.html).not.toContain('volunteers.resendCode');
  }, 60000);

  it('keeps one volunteer per email: a second sign-up replaces the first link, confirmation is single use', async () => {
    const body = {
      name: 'Li Wei',
      email: 'li.wei@example.org',
      phone: null,
      municipi: [8],
      skills: ['events'],
      languages: [],
      availability: ['sun-afternoon'],
      note: null,
      locale: 'zh',
      consent: true,
    };
    const mark = lastMailId();
    const first = await postJson('/api/v1/volunteers', body);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ status: 'check_email' });
    const firstMail = await waitForMail('volunteer_confirm_address', mark, body.email);
    const second = await postJson('/api/v1/volunteers', {
      ...body,
      name: 'Wei Li',
      skills: ['homework'],
      email: ' LI.WEI@example.org ',
    });
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual({ status: 'check_email' });
    const secondMail = await waitForMail('volunteer_confirm_address', firstMail.id, body.email);
    expect(firstMail.url).toMatch(/\/zh\/volontari\/conferma\?token=/);
    const path = (u: string) => new URL(u).pathname + new URL(u).search;

    // The second sign-up updated the same record: the first link no longer works.
    const stale = await get(path(firstMail.url));
    expect(stale.status).toBe(410);
    expect(text(stale)).toContain(messages.zh['volunteer.expired.title']);
    // Opening the link (as a mail scanner does, as often as it likes) confirms nothing: it shows
    // what its button would confirm. Only the button's POST confirms.
    const askPage = await get(path(secondMail.url));
    expect(askPage.status).toBe(200);
    expect(askPage.headers.get('cache-control')).toBe('no-store');
    expect(text(askPage)).toContain(messages.zh['volunteer.confirm.title']);
    expect(text(askPage)).toContain('Wei Li');
    expect((await get(path(secondMail.url))).status).toBe(200);
    // Links are single use: the button still confirming after two GETs shows they spent nothing.
    const confirmed = await submit(askPage);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/zh/volontari/conferma?esito=confermato');
    const done = await get(confirmed.headers.get('location')!);
    expect(done.status).toBe(200);
    expect(text(done)).toContain(messages.zh['volunteer.confirmed.title']);
    // The link used twice: its page and its button both say it has expired or was used (410).
    const again = await get(path(secondMail.url));
    expect(again.status).toBe(410);
    expect(text(again)).toContain(messages.zh['volunteer.expired.title']);
    const twice = await submit(askPage);
    expect(twice.status).toBe(410);
    expect(text(twice)).toContain(messages.zh['volunteer.expired.text']);

    // Signing up again once confirmed: still one volunteer, whose details change only once the
    // address confirms them from its own email (anyone may type someone else's address).
    const welcome = await waitForMail('volunteer_welcome', secondMail.id, body.email);
    const third = await postJson('/api/v1/volunteers', { ...body, note: 'Anche il sabato.' });
    expect(third.status).toBe(201);
    expect(await third.json()).toEqual({ status: 'check_email' });
    const change = await waitForMail('volunteer_confirm_address', welcome.id, body.email);
    expect(change.url).toMatch(/\/zh\/volontari\/conferma\?token=/);
    const askChange = await get(path(change.url));
    expect(askChange.status).toBe(200);
    expect(text(askChange)).toContain(messages.zh['volunteer.confirm.changeTitle']);
    const applied = await submit(askChange);
    expect(applied.status).toBe(303);
    expect(text(await get(applied.headers.get('location')!))).toContain(messages.zh['volunteer.confirmed.title']);
    expect((await get(path(change.url))).status).toBe(410);
    const updated = await waitForMail('volunteer_welcome', change.id, body.email);

    // Withdrawing: the GET only asks, the POST deletes, a second POST finds nothing.
    const withdraw = /https?:\/\/[^\s"<>]+\/volontari\/ritira\?token=[0-9]+\.[A-Za-z0-9_-]{43}/.exec(
      await emailText(updated.file),
    )?.[0];
    expect(withdraw, 'withdraw link in the email').toBeTruthy();
    const ask = await get(path(withdraw!));
    expect(ask.status).toBe(200);
    expect(ask.headers.get('referrer-policy')).toBe('same-origin');
    expect(text(ask)).toContain(messages.zh['volunteer.withdraw.title']);
    expect((await get(path(withdraw!))).status).toBe(200);
    const removed = await submit(ask);
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/zh/volontari/ritira?esito=ritirato');
    expect((await get(removed.headers.get('location')!)).html).toContain(messages.zh['volunteer.withdraw.doneTitle']);
    expect((await submit(ask)).status).toBe(404);
    // Once deleted, the address can sign up afresh (a new confirmation link).
    const fresh = await postJson('/api/v1/volunteers', body);
    expect(fresh.status).toBe(201);
    await waitForMail('volunteer_confirm_address', updated.id, body.email);
  }, 90000);

  it('says plainly when a confirmation or withdraw link is wrong', async () => {
    expect((await get('/en/volontari/conferma?token=nope')).status).toBe(410);
    expect((await get('/en/volontari/conferma')).status).toBe(410);
    expect((await get('/en/volontari/ritira?token=nope')).status).toBe(404);
    // A well-formed link that matches nobody: its button, as a browser sends it (to the form's action).
    const forged = await submit(await get(`/en/volontari/ritira?token=1.${'a'.repeat(43)}`));
    expect(forged.status).toBe(404);
  });

  it('explains invalid fields in the request’s language and answers hostile bodies with 4xx', async () => {
    const res = await postJson('/api/v1/volunteers', {
      name: '',
      email: 'x',
      municipi: [],
      skills: [],
      locale: 'ar',
      consent: false,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: 'invalid',
      fields: {
        name: messages.ar['volunteer.error.nameRequired'],
        email: messages.ar['volunteer.error.emailInvalid'],
        municipi: messages.ar['volunteer.error.municipiRequired'],
        skills: messages.ar['volunteer.error.skillsRequired'],
        consent: messages.ar['volunteer.error.consentRequired'],
      },
    });
    const ok = { name: 'A', email: 'a@example.org', municipi: [1], skills: ['events'], locale: 'en', consent: true };
    const cases: string[] = [
      JSON.stringify([ok]),
      'null',
      '{',
      '',
      `{"name":"A\u0000"}`,
      JSON.stringify({
        ...ok,
        municipi: ['x', {}, null, 1e300],
        skills: [1, 'events'],
        languages: 'it',
        availability: [['mon-morning']],
      }),
      JSON.stringify({ ...ok, email: 'a\u0000@example.org', name: 'A\u0000', note: '\u0000' }),
      JSON.stringify({
        ...ok,
        municipi: Array.from({ length: 1000 }, () => 1),
        availability: Array.from({ length: 1000 }, () => 'mon-morning'),
      }),
      JSON.stringify({ ...ok, name: { $ne: '' }, email: ['a@example.org'], consent: 'yes' }),
      JSON.stringify({ ...ok, note: 'n'.repeat(5000), phone: 'p'.repeat(5000) }),
      `${'['.repeat(3000)}${']'.repeat(3000)}`,
    ];
    for (const body of cases) {
      const r = await postJson('/api/v1/volunteers', body);
      expect(r.status, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(r.status, body.slice(0, 80)).toBeLessThan(500);
      await r.arrayBuffer();
    }
    expect(
      (await postJson('/api/v1/volunteers', '', { body: JSON.stringify(ok), headers: { 'Content-Type': 'text/csv' } }))
        .status,
    ).toBe(415);
    expect((await postJson('/api/v1/volunteers', { ...ok, note: 'x'.repeat(20000) })).status).toBe(413);
  });
});

describe('volunteers: "send the code again" that sends (CODE_RESEND_SECONDS=0)', () => {
  // The main server keeps the minute between two codes (the test above is refused by it): this one
  // lets the volunteer ask again at once, as after that minute.
  let resending: RunningServer;
  beforeAll(async () => {
    resending = await startServer({ ...RAISED_LIMITS, CODE_RESEND_SECONDS: '0' });
  });
  afterAll(async () => {
    await resending?.stop();
  });

  it("sends a new code to the same phone, says so once in the page's language; the new code confirms, the old one is wrong", async () => {
    const page = await get('/uk/volontari', resending);
    const seenCodes = lastCodeMailId(resending.output());
    const sent = await submit(
      page,
      {
        name: 'Olena',
        email: 'olena@example.org',
        phone: '+39 333 765 2222',
        municipi: ['5'],
        skills: ['events'],
        consent: 'yes',
      },
      0,
      resending,
    );
    expect(sent.headers.get('location')).toBe('/uk/volontari/grazie');
    const thanks = await get('/uk/volontari/grazie', resending, page.jar);
    expect(text(thanks)).not.toContain(messages.uk['booking.code.resent']);
    // No wait to name: the hint names none.
    expect(text(thanks)).toContain(messages.uk['booking.code.resendHintNow']);
    expect(text(thanks)).not.toContain(messages.uk['booking.code.resendHint']!.split('{{wait}}')[0]);
    // The first code arrives (the person has it) before they ask for another.
    const first = await nextCodeFromMail(resending.output, seenCodes);
    const forms = [...thanks.html.matchAll(/<form\b[^>]*method="post"[^>]*>/g)].map((m) => decode(m[0]));
    const resend = forms.findIndex((f) => f.includes('_action=volunteers.resendCode'));
    expect(resend, forms.join('\n')).toBeGreaterThan(0);

    const resent = await submit(thanks, {}, resend, resending);
    expect(resent.status).toBe(200);
    expect(resent.url).toBe('/uk/volontari/grazie');
    expect(errorSummary(resent)).toEqual([]);
    expect(text(resent)).toContain(messages.uk['booking.code.resent']);
    // A second SMS, to the same phone, with a new code.
    const second = await nextCodeFromMail(resending.output, first.id);
    expect(second.id).toBeGreaterThan(first.id);
    expect(await codeSentTo(() => resending.output(), '+393337652222')).toBe(second.code);
    // Said once: the page shown again has no notice.
    const again = await get('/uk/volontari/grazie', resending, page.jar);
    expect(text(again)).not.toContain(messages.uk['booking.code.resent']);

    // The first code stopped working when the new one was drawn: refused as wrong, one try counted
    // (the same six digits drawn twice, one chance in a million, has nothing to refuse).
    let step = again;
    if (first.code !== second.code) {
      step = await submit(again, { code: first.code }, 0, resending);
      expect(step.status).toBe(422);
      expect(errorSummary(step)).toEqual([
        ['#code', messages.uk['booking.error.codeWrong']!.replace('{{count}}', '4')],
      ]);
    }
    const confirmed = await submit(step, { code: second.code }, 0, resending);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/uk/volontari/conferma?esito=codice');
    const done = await get(confirmed.headers.get('location')!, resending);
    expect(text(done)).toContain(messages.uk['volunteer.code.doneTitle']);
  }, 60000);
});

describe('no one can drain the campaign (default PLEDGE_MAX_SHARE, 25 %)', () => {
  let shared: RunningServer;
  beforeAll(async () => {
    shared = await startServer(RAISED_LIMITS);
  });
  afterAll(async () => {
    await shared?.stop();
  });
  const pledgeTo = async (lines: { item: string; quantity: number }[], over: Record<string, unknown> = {}) =>
    postJson('/api/v1/pledges', await pledgeBody(lines, over, shared), {}, shared);

  it('refuses the one request that reserved all 600 items (422 exceeds_share), and nothing changes', async () => {
    const before = await campaign(shared);
    const everything = before.items.map((i) => ({ item: i.slug, quantity: i.target }));
    expect(everything.reduce((n, l) => n + l.quantity, 0)).toBe(600);
    const res = await pledgeTo(everything, { email: 'hoarder@example.org' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: 'exceeds_share',
      maxPerPledge: Object.fromEntries(before.items.map((i) => [i.slug, Math.max(1, Math.floor(i.target / 4))])),
    });
    expect(await campaign(shared)).toEqual(before);
    expect((await pledgeTo([{ item: 'zaino', quantity: 10 }])).status).toBe(201);
  });

  it('one phone or address, however written, has one open pledge per window (409 open_pledge)', async () => {
    // Confirmed with its code, the pledge is this phone's open pledge for the window.
    const first = await pledgeTo([{ item: 'astuccio', quantity: 1 }], { phone: '+39 333 765 4321' });
    expect(first.status).toBe(201);
    await confirmPledge(((await first.json()) as { reference: string }).reference, '+393337654321', shared);
    for (const phone of ['333 7654321', '0039 333 765 4321', '٣٣٣٧٦٥٤٣٢١']) {
      const again = await pledgeTo([{ item: 'astuccio', quantity: 1 }], { phone, locale: 'es' });
      expect(again.status).toBe(409);
      expect(await again.json()).toEqual({
        error: 'open_pledge',
        field: 'phone',
        message: messages.es['pledge.error.openPledge'],
      });
    }
    const byEmail = await pledgeTo([{ item: 'astuccio', quantity: 1 }], { phone: null, email: 'a@b.it' });
    expect(byEmail.status).toBe(201);
    await confirmPledge(((await byEmail.json()) as { reference: string }).reference, 'a@b.it', shared);
    const tagged = await pledgeTo([{ item: 'astuccio', quantity: 1 }], { phone: null, email: 'A+zaino@B.it' });
    expect(tagged.status).toBe(409);
    expect(await tagged.json()).toMatchObject({ error: 'open_pledge', field: 'email' });
    // Another collection window is another pledge.
    const other = (await campaign(shared)).collectionWindows[1]!;
    const elsewhere = await pledgeTo([{ item: 'astuccio', quantity: 1 }], {
      phone: '3337654321',
      dropOffPoint: other.dropOffPoint,
      collectionWindow: other.id,
    });
    expect(elsewhere.status).toBe(201);
  });

  it('the form offers at most one pledge’s share and says why, and says when this contact has pledged already', async () => {
    const page = await get('/it/zaino-sospeso/dona', shared);
    expect(inputOf(page, 'qty-diario').max).toBe('10');
    const window = radios(page, 'window')[0]!;
    const over = await submit(
      page,
      { 'qty-diario': '11', window, name: 'Rita', phone: '347 111 2233', privacyAccepted: 'yes' },
      0,
      shared,
    );
    expect(over.status).toBe(422);
    expect(errorSummary(over)).toEqual([
      [
        '#qty-diario',
        messages.it['pledge.error.quantityOverShare']!.replace('{{item}}', 'Diario scolastico').replace(
          '{{max}}',
          '10',
        ),
      ],
    ]);
    const diario = (await campaign(shared)).items.find((i) => i.slug === 'diario')!.pledged;
    const made = await submit(over, { 'qty-diario': '10' }, 0, shared);
    expect(made.status).toBe(303);
    await enterCode(made, '+393471112233', undefined, shared);
    const again = await submit(
      await get('/it/zaino-sospeso/dona', shared),
      { 'qty-diario': '1', window, name: 'Rita', phone: '+39 347-111-2233', privacyAccepted: 'yes' },
      0,
      shared,
    );
    expect(again.status).toBe(409);
    expect(errorSummary(again)).toEqual([['#phone', messages.it['pledge.error.openPledge']]]);
    expect((await campaign(shared)).items.find((i) => i.slug === 'diario')!.pledged).toBe(diario + 10);
  });
});

describe('rate limits', () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await startServer({ FORM_MIN_FILL_SECONDS: '0', RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('answers 429 with Retry-After to the pledge API and the pledge form once an address has pledged too often', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++)
      statuses.push(
        (
          await postJson(
            '/api/v1/pledges',
            await pledgeBody([{ item: 'zaino', quantity: 1 }], {}, limited),
            {},
            limited,
          )
        ).status,
      );
    expect(statuses).toEqual([201, 201]);
    const refused = await postJson(
      '/api/v1/pledges',
      await pledgeBody([{ item: 'zaino', quantity: 1 }], {}, limited),
      {},
      limited,
    );
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await refused.json()).toEqual({ error: 'rate_limited', retryAfter });

    const page = await get('/it/zaino-sospeso/dona', limited);
    const form429 = await submit(
      page,
      {
        'qty-zaino': '1',
        window: radios(page, 'window')[0]!,
        name: 'Rita',
        phone: nextPhone(),
        privacyAccepted: 'yes',
      },
      0,
      limited,
    );
    expect(form429.status).toBe(429);
    expect(Number(form429.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(text(form429)).toContain(messages.it['booking.limit.title']);
    expect((await campaign(limited)).items.find((i) => i.slug === 'zaino')!.pledged).toBe(2);
  });

  it('answers 429 with Retry-After to volunteer sign-ups, API and form', async () => {
    const body = (n: number) => ({
      name: 'V',
      email: `v${n}@example.org`,
      municipi: [3],
      skills: ['other'],
      locale: 'en',
      consent: true,
    });
    expect((await postJson('/api/v1/volunteers', body(1), {}, limited)).status).toBe(201);
    expect((await postJson('/api/v1/volunteers', body(2), {}, limited)).status).toBe(201);
    const refused = await postJson('/api/v1/volunteers', body(3), {}, limited);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = await get('/en/volontari', limited);
    const form429 = await submit(
      page,
      { name: 'V', email: 'v4@example.org', municipi: '3', skills: 'other', consent: 'yes' },
      0,
      limited,
    );
    expect(form429.status).toBe(429);
    expect(Number(form429.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(text(form429)).toContain(messages.en['booking.limit.title']);
  });
});
