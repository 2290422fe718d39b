// The sitemap and the subscribable calendar at city scale (issue #14), on the built server with
// 1,200 more upcoming events: the sitemap index lists the pages' part and one part per 500 events,
// each event in exactly one part (a part beyond the last is 404); calendario.ics has every event of
// its window (30 days back, 90 ahead), well past the old silent stop at 500, and none beyond it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { LOCALES } from '#/lib/locales.ts';

const DAY = 86_400_000;
const COUNT = 1200;
const text = (it: string) => JSON.stringify({ it });
let server: RunningServer;

beforeAll(async () => {
  const now = Date.now();
  server = await startServer(
    {},
    {
      prepare: async (db) => {
        const rows = Array.from({ length: COUNT }, (_, i) => {
          // 1,190 within the next 80 days, 10 after the calendar's 90 days.
          const starts = new Date(now + DAY + (i < COUNT - 10 ? (i % 80) * DAY : 120 * DAY) + (i % 7) * 3_600_000);
          return {
            slug: `scala-${i}`,
            title: text(`Evento ${i}`),
            summary: text('Insieme'),
            description: text('Giochi'),
            venue: 'Spazio QuBì',
            address: 'Via Cilea 6, 20151 Milano',
            starts_at: starts,
            ends_at: new Date(starts.getTime() + 2 * 3_600_000),
            status: 'published' as const,
            municipio_id: 8,
          };
        });
        for (let i = 0; i < rows.length; i += 400)
          await db
            .insertInto('event')
            .values(rows.slice(i, i + 400))
            .execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const get = (path: string) => fetch(server.origin + path);

describe('at city scale', () => {
  it('splits the sitemap into an index and parts of 500 events, each event once', async () => {
    const index = await (await get('/sitemap-index.xml')).text();
    const parts = [...index.matchAll(/<loc>[^<]*(\/sitemap-[\w-]+\.xml)<\/loc>/g)].map((m) => m[1]!);
    // The seed's events and ours: more than 1,200, at most 1,500.
    expect(parts).toEqual([
      '/sitemap-pages.xml',
      '/sitemap-events-1.xml',
      '/sitemap-events-2.xml',
      '/sitemap-events-3.xml',
    ]);
    const seen = new Map<string, number>();
    for (const part of parts.slice(1)) {
      const res = await get(part);
      expect(res.status, part).toBe(200);
      const body = await res.text();
      const urls = body.match(/<url>/g)?.length ?? 0;
      expect(urls, part).toBeLessThanOrEqual(500 * LOCALES.length);
      for (const m of body.matchAll(/<loc>[^<]*\/it\/eventi\/(scala-\d+)<\/loc>/g))
        seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1);
    }
    expect(seen.size).toBe(COUNT);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect((await get('/sitemap-events-4.xml')).status).toBe(404);
    expect((await get('/sitemap-events-0.xml')).status).toBe(404);
    // The pages' part has no event.
    expect(await (await get('/sitemap-pages.xml')).text()).not.toContain('/eventi/scala-');
  });

  it('gives the whole calendar window in calendario.ics, not the first 500', async () => {
    const ics = await (await get('/it/eventi/calendario.ics')).text();
    const ours = [...ics.matchAll(/\/it\/eventi\/(scala-\d+)/g)].map((m) => m[1]!);
    expect(new Set(ours).size).toBe(COUNT - 10);
    expect(ics).not.toContain(`/it/eventi/scala-${COUNT - 1}`);
  });
});
