// A production start (issue #14): NODE_ENV=production on an empty database seeds the nine municipi
// only — no sample desk, event, campaign or network contact, no demo account, no "sample" label —
// and every public page still answers without a 5xx; the About page's dates come from the
// configuration. (`npm start` in development keeps the demo: tests/http/lifecycle.test.ts and the
// staff tests' demo accounts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { messages } from '#/lib/i18n.ts';
import { LOCALES } from '#/lib/locales.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer(
    // SEED_SAMPLES unset, as in an operator's production start.
    { NODE_ENV: 'production', SEED_SAMPLES: '', PROJECT_STARTED_ON: '2024-05-08', PROJECT_ENDS_ON: '2028-05-01' },
    { fresh: true },
  );
});
afterAll(async () => {
  await server?.stop();
});

const PAGES = [
  '',
  '/sportelli',
  '/sportelli?municipio=8',
  '/sportelli?lingua=ar&senzagradini=1',
  '/eventi',
  '/zaino-sospeso',
  '/zaino-sospeso/dona',
  '/volontari',
  '/contatti',
  '/chi-siamo',
  '/faq',
  '/privacy',
  '/accessibilita',
  '/cerca?q=sportello',
  '/servizi/orientation',
];

describe('a production start on an empty database', () => {
  it('seeds the municipi only and creates no demo account', () => {
    expect(server.output()).toContain('seeded the database with the nine municipi only');
    expect(server.output()).not.toContain('[demo]');
    expect(server.output()).not.toContain('sample data');
  });

  it('renders every public page in every locale with no 5xx and no sample content or label', async () => {
    for (const locale of LOCALES)
      for (const page of PAGES) {
        const path = `/${locale}${page}`;
        const res = await fetch(server.origin + path);
        expect(res.status, path).toBeLessThan(500);
        const html = await res.text();
        expect(html, path).not.toContain(messages[locale]['common.sampleData']);
        expect(html, path).not.toContain('Spazio QuBì Gallaratese');
        expect(html, path).not.toContain('qubi.example.org');
      }
    for (const path of [
      '/api/v1/desks',
      '/api/v1/events',
      '/api/hsds/locations',
      '/sitemap-index.xml',
      '/sitemap-pages.xml',
    ]) {
      const res = await fetch(server.origin + path);
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
    expect(await (await fetch(`${server.origin}/api/v1/desks`)).json()).toEqual([]);
  });

  it('states the projects’ dates from the configuration, in the reader’s language', async () => {
    const it = await (await fetch(`${server.origin}/it/chi-siamo`)).text();
    expect(it).toContain('I progetti sono iniziati mercoledì 8 maggio 2024 e durano fino a lunedì 1 maggio 2028');
    const en = await (await fetch(`${server.origin}/en/chi-siamo`)).text();
    expect(en).toMatch(/started on Wednesday,? 8 May 2024 and run until Monday,? 1 May 2028/);
  });
});
