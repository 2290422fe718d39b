// The open data as other systems read it, on the built server: CORS on reads only, conditional GET
// (ETag, Last-Modified, 304) on the API, feeds, calendars and sitemaps, paging by cursor, JSON
// 404/405 under /api, cancelled events in RSS, SEQUENCE and an end in every calendar entry, the
// sitemap's x-default and lastmod. On PGlite, and on PostgreSQL with TEST_DATABASE_URL.
import { messages } from '#/lib/i18n.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const text = (it: string) => JSON.stringify({ it });

// Eight events of our own besides the seeded ones: three at the very same time (the cursor must
// tell them apart), one without an end, one cancelled.
const base = Date.now() + 3 * DAY;
const EXTRA = Array.from({ length: 8 }, (_, i) => ({
  slug: `open-data-${i}`,
  starts: new Date(base + (i < 3 ? 0 : i * HOUR)),
  ends: i === 3 ? null : new Date(base + (i < 3 ? 0 : i * HOUR) + 2 * HOUR),
  status: i === 4 ? ('cancelled' as const) : ('published' as const),
}));

beforeAll(async () => {
  server = await startServer(
    {},
    {
      prepare: async (db) => {
        await db
          .insertInto('event')
          .values(
            EXTRA.map((e) => ({
              slug: e.slug,
              title: text(`Evento ${e.slug}`),
              summary: text('Un pomeriggio insieme'),
              description: text('Giochi e merenda'),
              venue: 'Spazio QuBì',
              address: 'Via Cilea 6, 20151 Milano',
              starts_at: e.starts,
              ends_at: e.ends,
              status: e.status,
              municipio_id: 8,
              // One paid event, so that "free" is claimed only where it is true.
              ...(e.slug === 'open-data-5' ? { price_kind: 'price' as const, price_cents: 300 } : {}),
            })),
          )
          .execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const get = (path: string, init: RequestInit = {}) => fetch(server.origin + path, { redirect: 'manual', ...init });
const ORIGIN_HEADER = { Origin: 'https://another-site.example' };

describe('CORS', () => {
  it('lets any site read the API, with the licence, but never answers a write or a page with CORS', async () => {
    const read = await get('/api/v1/desks', { headers: ORIGIN_HEADER });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    expect(read.headers.get('access-control-expose-headers')).toMatch(/ETag/);
    expect(read.headers.get('link')).toContain('<https://creativecommons.org/licenses/by/4.0/>; rel="license"');
    const error = await get('/api/v1/desks?municipio=12', { headers: ORIGIN_HEADER });
    expect(error.status).toBe(400);
    expect(error.headers.get('access-control-allow-origin')).toBe('*');

    const write = await get('/api/v1/bookings', {
      method: 'POST',
      headers: { ...ORIGIN_HEADER, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(write.status).toBe(422);
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    const page = await get('/it/sportelli', { headers: ORIGIN_HEADER });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight for reads, and refuses one for writes', async () => {
    const preflight = await get('/api/v1/events?limit=5', {
      method: 'OPTIONS',
      headers: {
        ...ORIGIN_HEADER,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'if-none-match',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match');

    const write = await get('/api/v1/bookings', {
      method: 'OPTIONS',
      headers: { ...ORIGIN_HEADER, 'Access-Control-Request-Method': 'POST' },
    });
    expect(write.status).toBe(405);
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('conditional GET', () => {
  it('answers a reader’s current copy with 304, by ETag and by date, on the API, feeds, calendars and sitemaps', async () => {
    const paths = [
      '/api/v1/desks',
      '/api/v1/events',
      '/api/v1/campaigns/zaino-sospeso',
      '/api/v1/desks/gallaratese/slots',
      '/api/v1/openapi.json',
      '/api/hsds/services',
      '/it/eventi/feed.xml',
      '/ar/eventi/calendario.ics',
      '/en/eventi/open-data-1.ics',
      '/sitemap-index.xml',
      '/sitemap-pages.xml',
      '/sitemap-events-1.xml',
    ];
    for (const path of paths) {
      const first = await get(path);
      expect(first.status, path).toBe(200);
      const body = await first.text();
      const etag = first.headers.get('etag');
      const lastModified = first.headers.get('last-modified');
      expect(etag, path).toMatch(/^"[^"]+"$/);
      expect(new Date(lastModified!).getTime(), path).not.toBeNaN();
      expect(first.headers.get('cache-control'), path).toMatch(/public/);
      // Twice each: the second answer may come from the front cache, which must agree.
      for (let round = 0; round < 2; round++) {
        const byTag = await get(path, { headers: { 'If-None-Match': etag! } });
        expect(byTag.status, `${path} If-None-Match`).toBe(304);
        expect(await byTag.text()).toBe('');
        expect(byTag.headers.get('etag')).toBe(etag);
        const byDate = await get(path, { headers: { 'If-Modified-Since': lastModified! } });
        expect(byDate.status, `${path} If-Modified-Since`).toBe(304);
      }
      const stale = await get(path, { headers: { 'If-None-Match': '"something-else"' } });
      expect(stale.status, path).toBe(200);
      expect(await stale.text()).toBe(body);
    }
  });

  it('lets subscribers poll the API for a minute and the free slots not at all without asking', async () => {
    expect((await get('/api/v1/events')).headers.get('cache-control')).toMatch(/max-age=60/);
    expect((await get('/api/v1/desks/gallaratese/slots')).headers.get('cache-control')).toMatch(/no-cache/);
  });
});

describe('paging the events', () => {
  it('walks every event once with limit and cursor, in the order of the whole list', async () => {
    const all = (await (await get('/api/v1/events?limit=200')).json()) as { slug: string }[];
    expect(all.length).toBeGreaterThanOrEqual(EXTRA.length);
    const seen: string[] = [];
    let next: string | undefined = '/api/v1/events?limit=2';
    let pages = 0;
    while (next) {
      const res = await get(next);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { slug: string }[];
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((e) => e.slug));
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
      next = link ? new URL(link[1]!).pathname + new URL(link[1]!).search : undefined;
      pages++;
    }
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.map((e) => e.slug));
  });

  it('refuses a cursor or a limit it did not give, in JSON', async () => {
    const cursor = await get('/api/v1/events?cursor=bm90LWEtY3Vyc29y');
    expect(cursor.status).toBe(400);
    expect(await cursor.json()).toMatchObject({ error: 'invalid_cursor' });
    const limit = await get('/api/v1/events?limit=0');
    expect(limit.status).toBe(400);
    expect(await limit.json()).toMatchObject({ error: 'invalid_limit' });
  });
});

describe('JSON errors under /api', () => {
  it('answers an unknown address with a JSON 404 and a method an endpoint does not take with a JSON 405', async () => {
    const missing = await get('/api/v1/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const wrong = await get('/api/v1/desks', {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrong.json()).toMatchObject({ error: 'method_not_allowed' });
    const post = await get('/api/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(405);
  });
});

describe('feeds and calendars', () => {
  it('marks the cancelled event in RSS, in the feed’s language, and says when the feed last changed', async () => {
    const body = await (await get('/it/eventi/feed.xml')).text();
    expect(body).toMatch(
      /<lastBuildDate>[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT<\/lastBuildDate>/,
    );
    const items = body.split('<item>').slice(1);
    const cancelled = items.find((i) => i.includes('open-data-4'))!;
    expect(cancelled).toContain('<title>Annullato: Evento open-data-4</title>');
    expect(cancelled).toContain('<category>cancelled</category>');
    const other = items.find((i) => i.includes('open-data-5'))!;
    expect(other).toContain('<title>Evento open-data-5</title>');
    expect(other).not.toContain('<category>');
    const en = await (await get('/en/eventi/feed.xml')).text();
    expect(en).toContain('<title>Cancelled: Evento open-data-4</title>');
  });

  it('gives every calendar entry a SEQUENCE and an end: DTEND, or two hours when the organiser gave none', async () => {
    const body = await (await get('/it/eventi/calendario.ics')).text();
    const events = body.split('BEGIN:VEVENT').slice(1);
    expect(events.length).toBeGreaterThanOrEqual(EXTRA.length);
    for (const e of events) {
      expect(e).toMatch(/\r\nSEQUENCE:\d+\r\n/);
      // A recurring activity's entries keep Rome's local time (DTEND;TZID=Europe/Rome:…, issue #13).
      expect(e).toMatch(/\r\n(DTEND(;TZID=Europe\/Rome:\d{8}T\d{6}|:\d{8}T\d{6}Z)|DURATION:PT\dH)\r\n/);
    }
    const noEnd = await (await get('/it/eventi/open-data-3.ics')).text();
    expect(noEnd).toContain('\r\nDURATION:PT2H\r\n');
    expect(noEnd).not.toContain('DTEND');
    const withEnd = await (await get('/it/eventi/open-data-5.ics')).text();
    expect(withEnd).toMatch(/\r\nDTEND:\d{8}T\d{6}Z\r\n/);
    const cancelled = await (await get('/it/eventi/open-data-4.ics')).text();
    expect(cancelled).toContain('\r\nSTATUS:CANCELLED\r\n');
  });

  it('lists every page in the sitemap with x-default, lastmod and the booking, pledge and volunteer start pages', async () => {
    // The index's parts: the pages, then the upcoming events (issue #14).
    const index = await (await get('/sitemap-index.xml')).text();
    const parts = [...index.matchAll(/<loc>[^<]*(\/sitemap-[\w-]+\.xml)<\/loc>/g)].map((m) => m[1]!);
    expect(parts).toEqual(['/sitemap-pages.xml', '/sitemap-events-1.xml']);
    const body = (await Promise.all(parts.map(async (p) => (await get(p)).text()))).join('');
    const urls = body.split('<url>').slice(1);
    for (const url of urls) {
      expect(url).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z<\/lastmod>/);
      expect(url).toMatch(/hreflang="x-default" href="[^"]+\/it(\/|")/);
    }
    for (const page of [
      '/it/sportelli/gallaratese/prenota',
      '/ar/zaino-sospeso/dona',
      '/zh/volontari',
      '/en/eventi/open-data-2',
    ])
      expect(body).toContain(`${page}</loc>`);
  });

  it('marks a text the organiser wrote only in Italian as Italian, and says so in the reader’s language', async () => {
    // The events here have Italian texts only (text() above).
    const english = await (await get('/en/eventi/open-data-5')).text();
    expect(english).toMatch(
      /<h1><span lang="it" dir="auto">\s*Evento open-data-5\s*<\/span>\s*<small class="only-italian">\(only in Italian\)<\/small><\/h1>/,
    );
    expect(english).toMatch(/<div lang="it" dir="auto" class="description">/);
    const arabic = await (await get('/ar/eventi')).text();
    expect(arabic).toContain('<span lang="it" dir="auto">');
    expect(arabic).toContain(`<small class="only-italian">${messages.ar['common.onlyItalian']}</small>`);
    // In Italian it is the text alone.
    const italian = await (await get('/it/eventi/open-data-5')).text();
    expect(italian).not.toContain('<small class="only-italian">');
    expect(italian).not.toContain('<span lang="it" dir="auto">');
  });

  it('gives an event’s JSON-LD an offer and an organizer with its url, and says it is free only when it is', async () => {
    const jsonLd = async (slug: string) => {
      const page = await (await get(`/en/eventi/${slug}`)).text();
      return JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page)![1]!);
    };
    const paid = await jsonLd('open-data-5');
    expect(paid.offers).toMatchObject({
      '@type': 'Offer',
      url: expect.stringContaining('/en/eventi/open-data-5'),
      price: '3.00',
      priceCurrency: 'EUR',
    });
    expect(paid.organizer[0].url).toMatch(/\/en\/chi-siamo$/);
    expect(paid.isAccessibleForFree).toBe(false);
    const free = await jsonLd('open-data-2');
    expect(free.isAccessibleForFree).toBe(true);
    expect(free.offers).toMatchObject({ price: '0', priceCurrency: 'EUR' });
  });
});
