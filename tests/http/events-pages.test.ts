// The events list at scale: 20 a page, soonest first, only events not over yet, light pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
const HOUR = 3600_000;
beforeAll(async () => {
  server = await startServer(
    {},
    {
      async prepare(db) {
        const now = Date.now();
        const event = (
          slug: string,
          startsAt: Date,
          endsAt: Date | null,
          status: 'published' | 'draft' = 'published',
        ) => ({
          slug,
          title: JSON.stringify({ it: `Prova ${slug}` }),
          summary: JSON.stringify({ it: 'Riassunto.' }),
          description: JSON.stringify({ it: 'Descrizione.' }),
          venue: 'Spazio',
          address: 'Via Prova 1, Milano',
          starts_at: startsAt,
          ends_at: endsAt,
          status,
        });
        await db
          .insertInto('event')
          .values([
            // 45 coming events, one a day from tomorrow.
            ...Array.from({ length: 45 }, (_, i) =>
              event(
                `prova-${String(i + 1).padStart(2, '0')}`,
                new Date(now + (i + 1) * 24 * HOUR),
                new Date(now + (i + 1) * 24 * HOUR + 2 * HOUR),
              ),
            ),
            // Running now: started yesterday, ends tomorrow → listed first.
            event('in-corso', new Date(now - 24 * HOUR), new Date(now + 20 * HOUR)),
            // Over: ended an hour ago; and one without an end that started an hour ago.
            event('finito', new Date(now - 5 * HOUR), new Date(now - HOUR)),
            event('senza-fine-passato', new Date(now - HOUR), null),
            // Not public.
            event('bozza', new Date(now + 2 * HOUR), null, 'draft'),
          ])
          .execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const page = async (path: string) => {
  const res = await fetch(server.origin + path, { redirect: 'manual' });
  const body = await res.text();
  return {
    status: res.status,
    body,
    slugs: [...body.matchAll(/href="\/it\/eventi\/([a-z0-9-]+)"/g)].map((m) => m[1]!),
  };
};

describe('events list pages', () => {
  it('shows 20 events a page, soonest first, running ones included, over and draft ones left out', async () => {
    const first = await page('/it/eventi');
    expect(first.status).toBe(200);
    const cards = first.slugs.filter((s) => !s.endsWith('.ics') && s !== 'calendario' && s !== 'feed');
    expect(cards).toHaveLength(20);
    expect(cards[0]).toBe('in-corso');
    expect(cards).not.toContain('finito');
    expect(cards).not.toContain('senza-fine-passato');
    expect(cards).not.toContain('bozza');
    expect(first.body).toContain('href="/it/eventi?pagina=2" rel="next"');
    expect(first.body).not.toContain('rel="prev"');
  });

  it('pages on to the last events and no further', async () => {
    const second = await page('/it/eventi?pagina=2');
    expect(second.body).toContain('href="/it/eventi" rel="prev"');
    expect(second.body).toContain('Pagina 2');
    const third = await page('/it/eventi?pagina=3');
    expect(third.status).toBe(200);
    // 53 listed events (45 + the running one + the two seeded Christmas parties + the five seeded
    // recurring activities, each once): 20 + 20 + 13.
    expect(third.body.match(/<li class="card"/g)).toHaveLength(13);
    expect(third.body).toContain('prova-45');
    expect(third.body).not.toContain('rel="next"');
    expect((await page('/it/eventi?pagina=4')).status).toBe(404);
    expect((await page('/it/eventi?pagina=0')).status).toBe(404);
    expect((await page('/it/eventi?pagina=due')).status).toBe(404);
  });

  it('labels the page navigation in the page language', async () => {
    const ar = await page('/ar/eventi');
    expect(ar.body).toMatch(/<nav aria-label="صفحات الفعاليات"/);
  });
});
