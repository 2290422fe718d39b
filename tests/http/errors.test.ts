// Every error a visitor can meet, as the built server answers it: in the language of the address,
// never a 5xx, JSON under /api.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server.ts';
import { sharedServer } from '../support/shared-server.ts';
import { HREFLANG, LOCALES } from '#/lib/locales.ts';
import { messages } from '#/lib/i18n.ts';

let server: RunningServer;
beforeAll(async () => {
  // The run's server, shared with the other read-only files (vitest.config.ts, sharingServers).
  server = await sharedServer();
}, 90000);

const send = (path: string, init?: RequestInit) => fetch(server.origin + path, { redirect: 'manual', ...init });
const htmlTag = (body: string) => /<html lang="([^"]+)" dir="(ltr|rtl)"/.exec(body)?.slice(1);

describe('404 in the language of the address', () => {
  for (const locale of LOCALES) {
    it(`a missing desk or event under /${locale}/ answers the ${locale} 404 page`, async () => {
      for (const path of [`/${locale}/sportelli/no-such-desk`, `/${locale}/eventi/no-such-event`]) {
        const res = await send(path);
        const body = await res.text();
        expect(res.status, path).toBe(404);
        expect(htmlTag(body), path).toEqual([HREFLANG[locale], locale === 'ar' ? 'rtl' : 'ltr']);
        expect(body, path).toContain(messages[locale]['error.404.title']);
        // The language switcher offers the address asked for in the other languages, not "/404".
        expect(body, path).toContain(`href="${path.replace(`/${locale}/`, '/en/')}"`);
      }
    });
  }
});

describe('".../index.html" addresses', () => {
  it('redirect to the page instead of failing', async () => {
    for (const [path, target] of [
      ['/it/index.html', '/it'],
      ['/ar/sportelli/index.html', '/ar/sportelli'],
      ['/it/staff/index.html', '/it/staff'],
      ['/it/eventi/index.html?x=1', '/it/eventi?x=1'],
      ['//example.org/index.html', '/example.org'],
    ]) {
      const res = await send(path!);
      expect(res.status, path).toBe(301);
      expect(new URL(res.headers.get('location')!, server.origin).href, path).toBe(server.origin + target);
    }
  });
});

describe('methods a page does not take', () => {
  it('PUT, DELETE and PATCH answer 405 with Allow, on rendered pages and on files alike, in the page language', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      for (const [path, locale] of [
        ['/it/sportelli', 'it'],
        ['/ar/zaino-sospeso/dona', 'ar'],
        ['/zh/faq', 'zh'],
        ['/es/chi-siamo', 'es'],
      ] as const) {
        const res = await send(path, { method, headers: { Origin: server.origin } });
        const body = await res.text();
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow'), `${method} ${path}`).toMatch(/^GET, HEAD/);
        expect(htmlTag(body)?.[0]).toBe(HREFLANG[locale]);
        expect(body).toContain(messages[locale]['error.405.title']);
      }
    }
  });

  it('a GET-only feed refuses POST with 405', async () => {
    const res = await send('/it/eventi/feed.xml', {
      method: 'POST',
      headers: { Origin: server.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('form pages receiving something else than a form', () => {
  const forms = [
    '/it/zaino-sospeso/dona',
    '/ar/volontari',
    '/zh/prenotazione/annulla',
    '/en/staff/accesso',
    '/es/sportelli/quarto-oggiaro/prenota/dettagli',
  ];
  it("JSON, multipart and text bodies answer 415 with a page in the visitor's language", async () => {
    for (const path of forms) {
      const locale = path.split('/')[1] as keyof typeof messages;
      for (const [type, body] of [
        ['application/json', '{"name":"x"}'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'],
        ['text/plain', 'a=1'],
      ]) {
        const res = await send(path, {
          method: 'POST',
          headers: { Origin: server.origin, 'Content-Type': type! },
          body,
        });
        const html = await res.text();
        expect(res.status, `${type} ${path}`).toBe(415);
        expect(html).toContain(messages[locale]['error.415.title']);
        expect(html).not.toMatch(/at [\w.]+ \(|node_modules/);
      }
    }
  });

  it('a POST without any body answers 400; an empty form is still a form', async () => {
    for (const path of forms) {
      const locale = path.split('/')[1] as keyof typeof messages;
      const res = await send(path, { method: 'POST', headers: { Origin: server.origin } });
      expect(res.status, path).toBe(400);
      expect(await res.text()).toContain(messages[locale]['error.400.title']);
    }
    // The staff sign-out button posts an empty form: it reaches its page.
    const signOut = await send('/it/staff/esci', {
      method: 'POST',
      headers: { Origin: server.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(signOut.status).toBe(303);
  });
});

describe('errors under /api are JSON', () => {
  it('an address without endpoint is a JSON 404, whatever the method', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      const res = await send('/api/v1/no-such-thing', {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      expect(res.status, method).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await res.json()).error).toBe('not_found');
    }
  });

  it('a method an endpoint does not take is a JSON 405 with Allow', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/api/v1/desks', 'GET, HEAD'],
      ['DELETE', '/api/v1/desks/quarto-oggiaro/slots', 'GET, HEAD'],
      ['GET', '/api/v1/pledges', 'POST'],
      ['PATCH', '/api/v1/bookings', 'POST'],
      ['POST', '/api/v1/events', 'GET, HEAD'],
    ] as const) {
      const res = await send(path, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await res.json()).error).toBe('method_not_allowed');
    }
  });
});
