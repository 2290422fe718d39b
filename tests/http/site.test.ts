// The built site over HTTP, as a browser or a crawler sees it.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server.ts';
import { sharedServer } from '../support/shared-server.ts';
import { HREFLANG, LOCALES } from '#/lib/locales.ts';

let server: RunningServer;
beforeAll(async () => {
  // The run's server, shared with the other read-only files (vitest.config.ts, sharingServers).
  server = await sharedServer();
});

const get = (path: string, init?: RequestInit) => fetch(server.origin + path, { redirect: 'manual', ...init });
const text = async (path: string) => {
  const res = await get(path);
  return { res, body: await res.text() };
};

async function firstEventPath(locale: string): Promise<string> {
  const { body } = await text(`/${locale}/eventi`);
  const m = new RegExp(`href="(/${locale}/eventi/[a-z0-9-]+)"`).exec(body);
  if (!m) throw new Error('no event link on the events page');
  return m[1]!;
}

const PAGES = [
  '',
  '/sportelli',
  '/sportelli/gallaratese',
  '/eventi',
  '/zaino-sospeso',
  '/chi-siamo',
  '/privacy',
  '/accessibilita',
  '/note-legali',
  '/faq',
  '/argomenti',
  '/servizi/listening',
];

describe('language', () => {
  it('sends / to the best language from Accept-Language, Italian otherwise', async () => {
    expect(
      (await get('/', { headers: { 'Accept-Language': 'ar-MA,ar;q=0.9,fr;q=0.8' } })).headers.get('location'),
    ).toBe('/ar');
    expect((await get('/', { headers: { 'Accept-Language': 'zh-CN' } })).headers.get('location')).toBe('/zh');
    // Milan's Filipino, Ukrainian and Bangladeshi families; Tagalog also answers to "fil" (Filipino).
    for (const [range, to] of [
      ['fil-PH,fil;q=0.9,en;q=0.5', '/tl'],
      ['tl', '/tl'],
      ['bn-BD,bn;q=0.9', '/bn'],
      ['uk-UA,uk;q=0.9,ru;q=0.5', '/uk'],
    ]) {
      expect((await get('/', { headers: { 'Accept-Language': range! } })).headers.get('location'), range).toBe(to);
    }
    const fallback = await get('/', { headers: { 'Accept-Language': 'de-DE' } });
    expect(fallback.status).toBe(302);
    expect(fallback.headers.get('location')).toBe('/it');
    expect(fallback.headers.get('vary')).toMatch(/Accept-Language/i);
  });

  for (const locale of LOCALES) {
    it(`serves every page type in ${locale} with lang, dir, hreflang alternates and a switcher that keeps the page`, async () => {
      const eventPath = (await firstEventPath(locale)).slice(locale.length + 1);
      for (const page of [...PAGES, eventPath]) {
        const { res, body } = await text(`/${locale}${page}`);
        expect(res.status, `/${locale}${page}`).toBe(200);
        const html = /<html lang="([^"]+)" dir="(ltr|rtl)"/.exec(body);
        expect(html?.[1]).toBe(HREFLANG[locale]);
        expect(html?.[2]).toBe(locale === 'ar' ? 'rtl' : 'ltr');
        const alternates = [...body.matchAll(/<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"/g)];
        expect(alternates.map((a) => a[1])).toEqual([...LOCALES.map((l) => HREFLANG[l]), 'x-default']);
        expect(alternates[2]![2]).toMatch(new RegExp(`/ar${page.replace(/[/]/g, '\\/')}$`));
        expect(body).toContain(`href="/en${page}" lang="en" hreflang="en"`);
        expect(body).toContain('href="#main"');
        expect(body).toContain('data-element="main-navigation"');
        expect(body).toContain('data-element="privacy-policy-link"');
        expect(body).toContain('data-element="accessibility-link"');
        expect(body).toContain('data-element="legal-notes"');
        expect(body).toContain('data-element="faq"');
        expect(body).toContain('data-element="report-inefficiency"');
        expect(body).toContain('data-element="all-topics"');
        expect(body).toContain('2021-2027'); // the EU co-funding notice
      }
    });
  }

  it('answers unknown pages with a localized 404', async () => {
    const ar = await text('/ar/no-such-page');
    expect(ar.res.status).toBe(404);
    expect(ar.body).toContain('<html lang="ar" dir="rtl"');
    const it404 = await text('/it/sportelli/no-such-desk');
    expect(it404.res.status).toBe(404);
    expect(it404.body).toContain('Pagina non trovata');
    expect((await get('/xx/sportelli')).status).toBe(404);
    // Hostile slugs are simply not found, never a server error.
    for (const path of [
      '/it/sportelli/%00',
      '/it/eventi/%00',
      '/api/v1/campaigns/%00',
      `/it/sportelli/${'a'.repeat(5000)}`,
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });
});

describe('content', () => {
  it('shows the Municipio 8 desks with their days, hours and tel: links, filterable by municipio', async () => {
    const { body } = await text('/it/sportelli?municipio=8');
    for (const area of ['Quarto Oggiaro', 'Gallaratese', 'Villapizzone']) expect(body).toContain(area);
    expect(body).toContain('href="tel:+393516818198"');
    const desk = await text('/it/sportelli/quarto-oggiaro');
    expect(desk.body).toContain('martedì');
    expect(desk.body).toMatch(/10:00–13:00/);
    const none = await text('/it/sportelli?municipio=3');
    expect(none.body).not.toContain('href="/it/sportelli/quarto-oggiaro"');
    expect(none.body).toContain('Rete QuBì Municipio 3');
  });

  it('gives each event JSON-LD, an .ics download and feeds', async () => {
    // The seeded Christmas party (the first event listed may be a recurring activity's next date).
    const list = await text('/en/eventi');
    const path = /href="(\/en\/eventi\/festa-di-natale-[a-z0-9-]+)"/.exec(list.body)![1]!;
    const { body } = await text(path);
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(body)![1]!);
    expect(ld['@type']).toBe('Event');
    expect(ld.startDate).toMatch(/^\d{4}-12-\d{2}T\d{2}:\d{2}:00\+01:00$/);
    expect(ld.location.address.streetAddress).toBeTruthy();
    const ics = await get(`${path}.ics`);
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    expect(await ics.text()).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT[\s\S]*END:VCALENDAR\r\n$/);
    const feed = await text('/es/eventi/calendario.ics');
    // The two parties and the five recurring activities, each one VEVENT with its RRULE.
    expect(feed.body.match(/BEGIN:VEVENT/g)?.length).toBe(7);
    expect(feed.body.match(/\r\nRRULE:FREQ=(?:WEEKLY|MONTHLY);/g)?.length).toBe(5);
    const rss = await text('/zh/eventi/feed.xml');
    expect(rss.res.headers.get('content-type')).toContain('application/rss+xml');
    expect(rss.body).toContain('<language>zh</language>');
    expect(rss.body.match(/<item>/g)?.length).toBe(7);
  });

  it('shows campaign progress from the database, with no donor anywhere', async () => {
    const { body } = await text('/it/zaino-sospeso');
    expect(body).toMatch(/<progress[^>]*max="40"[^>]*value="0"/);
    expect(body).toContain('Dove posso portare i materiali?');
    expect(body).toContain('Quando avviene la raccolta?');
  });

  it('ships no JavaScript on content pages', async () => {
    for (const page of ['/it/chi-siamo', '/ar/faq', '/it/sportelli/gallaratese', '/it/zaino-sospeso']) {
      const { body } = await text(page);
      expect(body, page).not.toMatch(/<script(?![^>]*application\/ld\+json)/);
    }
    // The desks list and the home page have the site's islands (issue #14), "nearest desk", hydrated when idle.
    for (const [page, component] of [
      ['/it/sportelli', 'NearestDesk'],
      ['/it', 'NearestDesksHome'],
    ]) {
      const { body } = await text(page!);
      expect(body.match(/<astro-island\b/g), page).toHaveLength(1);
      expect(body, page).toMatch(
        new RegExp(`<astro-island[^>]*component-url="/_astro/${component}\\.[\\w-]+\\.js"[^>]*client="idle"`),
      );
    }
  });

  it('lists every public page in the sitemap', async () => {
    const index = await text('/sitemap-index.xml');
    expect(index.body).toContain('/sitemap-pages.xml</loc>');
    const { body } = await text('/sitemap-pages.xml');
    for (const page of [
      '/it/sportelli/gallaratese',
      '/ar/zaino-sospeso',
      '/zh/faq',
      '/es/chi-siamo',
      '/en/eventi',
      '/uk/argomenti',
      '/bn/servizi/orientation',
    ])
      expect(body).toContain(`${page}</loc>`);
    expect(body).toContain('hreflang="zh-Hans"');
    // Every language's address of a page, each with the others as alternates.
    for (const locale of LOCALES) {
      expect(body).toContain(`/${locale}/faq</loc>`);
      expect(body).toContain(`hreflang="${HREFLANG[locale]}"`);
    }
  });
});

describe('open-data API', () => {
  it('GET /api/v1/desks lists desks with weekly hours', async () => {
    const desks = (await (await get('/api/v1/desks')).json()) as any[];
    expect(desks).toHaveLength(3);
    const qo = desks.find((d) => d.slug === 'quarto-oggiaro');
    expect(qo).toMatchObject({
      municipio: 8,
      phone: '351 681 8198',
      hours: [{ weekday: 2, opens: '10:00', closes: '13:00' }],
    });
    expect(qo.services).toContain('orientation');
    expect((await get('/api/v1/desks?municipio=12')).status).toBe(400);
  });

  it('GET /api/v1/events gives ISO 8601 times with offset and texts in ?locale', async () => {
    const events = (await (await get('/api/v1/events?from=2026-01-01&locale=en')).json()) as any[];
    // The two parties and the five recurring activities, each listed once (#13).
    expect(events.length).toBe(7);
    for (const e of events) expect(e.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(events.map((e) => e.title)).toContain('QuBì Christmas party');
    const bad = await get('/api/v1/events?from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_from' });
  });

  it('GET /api/v1/campaigns/zaino-sospeso gives items with progress, points and windows', async () => {
    const c = (await (await get('/api/v1/campaigns/zaino-sospeso')).json()) as any;
    expect(c.slug).toBe('zaino-sospeso');
    expect(c.items[0]).toEqual({ slug: 'zaino', name: 'Zaino', target: 40, pledged: 0, remaining: 40 });
    expect(c.dropOffPoints).toHaveLength(3);
    expect(c.collectionWindows.length).toBeGreaterThan(0);
    expect(c.collectionWindows[0].start).toMatch(/[+-]\d{2}:\d{2}$/);
    expect((await get('/api/v1/campaigns/nope')).status).toBe(404);
  });

  it('GET /healthz is 200 while the database answers', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('caching and headers', () => {
  it('keeps live pages in the route cache', async () => {
    await get('/es/sportelli');
    const again = await get('/es/sportelli');
    expect(again.headers.get('x-astro-cache')).toBe('HIT');
  });

  it('sends security headers on rendered pages and static files', async () => {
    for (const path of ['/it/eventi', '/it/chi-siamo', '/favicon.svg', '/api/v1/desks']) {
      const res = await get(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
    // A page that runs no script says so, and allows only its own inline style, by hash: a short header.
    const page = await get('/it/eventi');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'none'");
    expect(csp).not.toContain("'unsafe-inline'");
    const style = /<style[^>]*>([\s\S]*?)<\/style>/.exec(await page.text())![1]!;
    const styleHash = createHash('sha256').update(style).digest('base64');
    expect(csp).toMatch(new RegExp(`style-src 'self' 'sha256-${styleHash.replace(/[+/]/g, '\\$&')}';`));
    expect(csp.match(/sha256-/g)).toHaveLength(1);
    expect(csp.length).toBeLessThan(400);
    // A prerendered page carries its policy in a <meta> of the same kind.
    const file = await (await get('/ar/faq')).text();
    expect(file).toMatch(
      /<meta http-equiv="content-security-policy" content="[^"]*script-src 'none'; style-src 'self' 'sha256-[^']+';">/,
    );
  });
});
