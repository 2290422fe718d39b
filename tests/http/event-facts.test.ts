// An event's facts on the running site (issue #13), with a known event: a free offer gives
// `isAccessibleForFree: true` and says "free offer" in the page's own language in JSON-LD; step-free
// access, LIS, childcare and the languages spoken are on the public page in Italian and in Spanish;
// a stop's transit hint is on the page and in the .ics description, in the reader's language.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { languageName } from '#/lib/locales.ts';
import itStrings from '#/locales/it.json' with { type: 'json' };
import esStrings from '#/locales/es.json' with { type: 'json' };

const slug = 'laboratorio-fatti-prova';
let server: RunningServer;
beforeAll(async () => {
  server = await startServer(
    {},
    {
      async prepare(db) {
        await insertPartyEvent(db, {
          slug,
          startsAt: new Date(Date.now() + 10 * 24 * 60 * 60 * 1000),
          seats: 12,
          text: { it: 'Laboratorio di cucito', es: 'Taller de costura', en: 'Sewing workshop' },
          values: {
            price_kind: 'free_offer',
            step_free: true,
            lis: true,
            childcare: true,
            languages: ['ar', 'en'],
            stops: JSON.stringify([
              {
                time: '16:30',
                place: 'Piazza Tirana',
                address: 'Piazza Tirana 1',
                transit: { it: 'Tram 14 fermata Tirana', es: 'Tranvía 14 parada Tirana' },
              },
            ]),
          },
        });
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const get = async (path: string) => {
  const res = await fetch(server.origin + path, { redirect: 'manual' });
  return { status: res.status, body: await res.text() };
};
const jsonLd = (html: string) => JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]!);
/** The .ics as text: lines unfolded, iCalendar's escapes of commas and semicolons undone. */
const icsText = (body: string) => body.replace(/\r\n /g, '').replace(/\\([,;])/g, '$1');

describe('a free-offer event in JSON-LD', () => {
  it('is accessible for free, and its offer says so in the page’s language', async () => {
    for (const [locale, strings] of [
      ['it', itStrings],
      ['es', esStrings],
    ] as const) {
      const page = await get(`/${locale}/eventi/${slug}`);
      expect(page.status).toBe(200);
      const ld = jsonLd(page.body);
      expect(ld.isAccessibleForFree).toBe(true);
      expect(ld.offers).toMatchObject({ '@type': 'Offer', price: '0', priceCurrency: 'EUR' });
      expect(ld.offers.description).toBe(strings['eventFacts.freeOffer']);
    }
    // Not the Italian words on the Spanish page.
    expect(jsonLd((await get(`/es/eventi/${slug}`)).body).offers.description).not.toBe('Offerta libera');
  });
});

describe('the facts on the public event page', () => {
  it('shows step-free access, LIS, childcare and the languages spoken, in Italian and in Spanish', async () => {
    for (const [locale, strings] of [
      ['it', itStrings],
      ['es', esStrings],
    ] as const) {
      const page = await get(`/${locale}/eventi/${slug}`);
      expect(page.status).toBe(200);
      for (const key of [
        'eventFacts.stepFree',
        'eventFacts.lis',
        'eventFacts.childcare',
        'eventFacts.languages',
      ] as const)
        expect(page.body).toContain(strings[key]);
      expect(page.body).toContain(`${languageName('ar', locale)}, ${languageName('en', locale)}`);
    }
    // The Spanish page is in Spanish.
    expect((await get(`/es/eventi/${slug}`)).body).not.toContain(itStrings['eventFacts.childcare']);
  });

  it('shows a stop’s transit hint on the page and in the .ics description, in the reader’s language', async () => {
    const page = await get(`/es/eventi/${slug}`);
    const stops = /<ol class="stops"[^>]*>([\s\S]*?)<\/ol>/.exec(page.body)![1]!;
    expect(stops).toContain('Piazza Tirana');
    expect(stops).toContain('Tranvía 14 parada Tirana');
    const ics = await get(`/es/eventi/${slug}.ics`);
    expect(ics.status).toBe(200);
    const description = /\r\nDESCRIPTION:(.*)\r\n/.exec(ics.body.replace(/\r\n /g, ''))![1]!;
    expect(icsText(description)).toContain('16:30 Piazza Tirana, Piazza Tirana 1 (Tranvía 14 parada Tirana)');
    expect(icsText((await get(`/it/eventi/${slug}.ics`)).body)).toContain('(Tram 14 fermata Tirana)');
  });
});
