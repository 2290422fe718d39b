// Behind the Comune's proxy: Debian's nginx, configured by deploy/nginx.conf (the README's
// example), terminates TLS in front of the built server started with PUBLIC_URL=https://… and
// TRUSTED_PROXIES. Over HTTPS through it: the booking flow, the pledge form and staff sign-in
// work (Astro's origin check on, a cross-site post still refused), and each client is counted by
// the address nginx saw, whatever X-Forwarded-For it sends (127.0.0.x source addresses stand for
// different clients).
import https from 'node:https';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaffServer, type StaffServer } from '../support/staff-http.ts';
import { freePorts, startNginx, type RunningNginx } from '../support/nginx.ts';
import { fillForm, parseForm } from '../support/html-form.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';

const LOOKUP_LIMIT = 3;
let staff: StaffServer;
let nginx: RunningNginx;
let publicOrigin: string;
let httpsPort: number;

beforeAll(async () => {
  const [httpPort, port] = await freePorts(2);
  httpsPort = port!;
  publicOrigin = `https://127.0.0.1:${httpsPort}`;
  staff = await startStaffServer({
    PUBLIC_URL: publicOrigin,
    TRUSTED_PROXIES: '127.0.0.1',
    FORM_MIN_FILL_SECONDS: '0',
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '1000',
    RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: String(LOOKUP_LIMIT),
  });
  const upstream = Number(new URL(staff.server.origin).port);
  nginx = await startNginx({ http: httpPort!, https: httpsPort, upstream });
}, 90000);
afterAll(async () => {
  await nginx?.stop();
  await staff?.stop();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  path: string;
}

/** One request over HTTPS to nginx, from a chosen loopback address, trusting only the test's certificate. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: nginx.certificate,
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, path }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A browser without JavaScript: keeps cookies, posts forms with its Origin, follows redirects. */
class Visitor {
  #cookies = new Map<string, string>();
  readonly from: string;
  constructor(from = '127.0.0.1') {
    this.from = from;
  }

  async get(path: string): Promise<Reply> {
    return this.#follow(await this.#send(path, 'GET'));
  }

  async post(path: string, fields: [string, string][], origin = publicOrigin): Promise<Reply> {
    return this.#send(
      path,
      'POST',
      { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      new URLSearchParams(fields).toString(),
    );
  }

  /** Submits the page's first form with some values, following the 303 if there is one. */
  async submit(page: Reply, values: Record<string, string>): Promise<Reply> {
    const form = parseForm(page.body, page.path);
    const present = Object.fromEntries(Object.entries(values).filter(([name]) => form.names.has(name)));
    const fields = fillForm(form, present);
    if (form.method === 'get') return this.get(`${form.action}?${new URLSearchParams(fields)}`);
    return this.#follow(await this.post(form.action, fields));
  }

  async #send(path: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const reply = await send(path, {
      method,
      headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) },
      ...(body !== undefined ? { body } : {}),
      from: this.from,
    });
    for (const line of reply.headers['set-cookie'] ?? []) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return reply;
  }

  async #follow(reply: Reply): Promise<Reply> {
    let current = reply;
    for (let i = 0; i < 5 && [301, 302, 303, 307].includes(current.status); i++) {
      const location = new URL(current.headers.location!, publicOrigin);
      expect(location.origin, 'a redirect stays on the public origin').toBe(publicOrigin);
      current = await this.#send(location.pathname + location.search, 'GET');
    }
    return current;
  }
}

describe('behind nginx over HTTPS', () => {
  it('serves pages with the security headers, HSTS included', async () => {
    const page = await send('/it/sportelli');
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toContain('max-age=');
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(page.body).toContain(`href="${publicOrigin}/it/sportelli"`);
  });

  it('books a desk appointment from the first page to the confirmation', async () => {
    const visitor = new Visitor();
    let page = await visitor.get('/it/sportelli/gallaratese/prenota');
    const answers = {
      topic: 'orientation',
      note: '',
      firstName: 'Giulia',
      phone: '333 444 5555',
      email: '',
      privacyAccepted: 'yes',
    };
    let reference: string | undefined;
    const seen = lastCodeMailId(staff.server.output());
    for (let step = 0; step < 8 && !reference; step++) {
      expect(page.status, `${page.path}: ${page.body.slice(0, 300)}`).toBe(200);
      reference = /QB-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(page.body)?.[0];
      if (reference) break;
      if (page.path.endsWith('/prenota/codice')) {
        // The place is held: the code sent to the phone confirms it.
        page = await visitor.submit(page, { code: (await nextCodeFromMail(() => staff.server.output(), seen)).code });
        continue;
      }
      const slot = parseForm(page.body, page.path).choices.slot?.[0];
      page = await visitor.submit(page, { ...answers, ...(slot ? { slot } : {}) });
    }
    expect(reference, 'a booking reference on the confirmation page').toBeDefined();
    expect(page.body).toContain('Prenotazione confermata');
  });

  it('takes a pledge for the zaino sospeso', async () => {
    const visitor = new Visitor();
    const page = await visitor.get('/it/zaino-sospeso/dona');
    expect(page.status).toBe(200);
    const form = parseForm(page.body, page.path);
    const item = [...form.names].find((name) => name.startsWith('qty-'))!;
    const seen = lastCodeMailId(staff.server.output());
    const held = await visitor.submit(page, {
      [item]: '1',
      window: form.choices.window![0]!,
      name: 'Amina',
      phone: '+39 333 765 4321',
      privacyAccepted: 'yes',
    });
    expect(held.status, held.body.slice(0, 500)).toBe(200);
    // The items are held: the code sent to the phone confirms the pledge.
    expect(held.path).toMatch(/^\/it\/zaino-sospeso\/codice\?c=/);
    const done = await visitor.submit(held, { code: (await nextCodeFromMail(() => staff.server.output(), seen)).code });
    expect(done.status, done.body.slice(0, 500)).toBe(200);
    expect(done.path).toMatch(/^\/it\/zaino-sospeso\/grazie\?c=/);
  });

  it('signs a desk operator in, and refuses the same post from another site', async () => {
    const account = staff.accounts.desk_operator;
    const fields: [string, string][] = [
      ['email', account.email],
      ['password', account.password],
      ['next', ''],
    ];
    const stranger = new Visitor();
    const crossSite = await stranger.post('/it/staff/accesso', fields, 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();

    const visitor = new Visitor();
    const signedIn = await visitor.post('/it/staff/accesso', fields);
    expect(signedIn.status, signedIn.body.slice(0, 300)).toBe(303);
    expect(signedIn.headers['set-cookie']?.join()).toMatch(/qubi_session=[^;]+;.*Secure/i);
    const home = await visitor.get(signedIn.headers.location!);
    expect(home.status).toBe(200);
    expect(home.path).toMatch(/^\/it\/staff/);
  });
});

describe('client addresses behind nginx', () => {
  const lookup = (from: string, forwardedFor: string) =>
    send('/api/v1/bookings/cancel', {
      method: 'POST',
      from,
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
      body: JSON.stringify({ reference: 'QB-ZZZZ-ZZ', phone: '333 000 0000' }),
    });

  it('counts a client by its own address: a forged X-Forwarded-For neither gives fresh quota nor spends another client\u2019s', async () => {
    for (let i = 0; i < LOOKUP_LIMIT; i++) expect((await lookup('127.0.0.2', `1.2.3.${i}`)).status).not.toBe(429);
    // Still 127.0.0.2, whatever it claims to be.
    expect((await lookup('127.0.0.2', '1.2.3.99')).status).toBe(429);
    expect((await lookup('127.0.0.2', '127.0.0.3')).status).toBe(429);
    // Another client is untouched, even when 127.0.0.2 named it.
    expect((await lookup('127.0.0.3', '127.0.0.2')).status).not.toBe(429);
  });

  it('ignores X-Forwarded-For from a client that reaches the server without the proxy', async () => {
    const direct = await new Promise<number>((resolve, reject) => {
      const url = new URL('/api/v1/bookings/cancel', staff.server.origin);
      const req = http.request(
        url,
        {
          method: 'POST',
          localAddress: '127.0.0.4',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '127.0.0.5' },
        },
        (res) => (res.resume(), resolve(res.statusCode!)),
      );
      req.on('error', reject);
      req.end(JSON.stringify({ reference: 'QB-ZZZZ-ZZ', phone: '333 000 0000' }));
    });
    expect(direct).not.toBe(429);
    // 127.0.0.4 was counted, not 127.0.0.5: 127.0.0.5 still has its whole allowance through nginx.
    for (let i = 0; i < LOOKUP_LIMIT; i++) expect((await lookup('127.0.0.5', '')).status).not.toBe(429);
    expect((await lookup('127.0.0.5', '')).status).toBe(429);
  });
});
