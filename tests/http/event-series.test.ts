// Recurring activities, itineraries and facts on the running site (issue #13), with the seed: the
// events list shows each activity once with "every Tuesday" in the reader's language and filters
// by municipio, age and this week with a plain GET form; the 17 December party shows its two stops
// on the page, in JSON-LD (subEvent) and in the .ics; a date's .ics is the whole series (RRULE);
// GET /api/v1/events gives a series' coming dates with their own seats, and POST …/registrations
// takes `occurrence` for one date (422 in the visitor's language for a date that is not one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { endOfRomeWeek } from '#/features/events/event-filters.ts';
import ar from '#/locales/ar.json' with { type: 'json' };

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const get = async (path: string) => {
  const res = await fetch(server.origin + path, { redirect: 'manual' });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
};
/** The slugs of the list's cards (the heading links), in order. */
const cards = (html: string, locale = 'it') =>
  [...html.matchAll(new RegExp(`<h2[^>]*>\\s*<a href="/${locale}/eventi/([a-z0-9-]+)"`, 'g'))].map((m) => m[1]!);
const jsonLd = (html: string) => JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]!);

interface ApiEvent {
  slug: string;
  start: string;
  occurrence: string | null;
  facts: { ageBands: string[]; price: string };
  stops: { time: string; place: string }[];
  series: null | {
    slug: string;
    repeats: string;
    occurrences: { date: string; slug: string; seats: { total: number; left: number } | null }[];
  };
}
const api = async (query = '') => (await (await fetch(`${server.origin}/api/v1/events${query}`)).json()) as ApiEvent[];

describe('the events list', () => {
  it('shows each recurring activity once, with its rule in the reader’s language', async () => {
    const it = await get('/it/eventi');
    const slugs = cards(it.body);
    const ofMammaBambino = slugs.filter((s) => s.startsWith('spazio-mamma-bambino-quarto-oggiaro-'));
    expect(ofMammaBambino).toHaveLength(1);
    expect(it.body).toContain('Ogni martedì');
    expect((await get('/en/eventi')).body).toContain('Every Tuesday');
    expect((await get('/ar/eventi')).body).toContain('كل يوم الثلاثاء');
    // The monthly nature walk: the second Saturday.
    expect((await get('/en/eventi')).body).toContain('Once a month, on the second Saturday');
  });

  it('filters by municipio, children’s age and this week with a plain GET form', async () => {
    const page = await get('/it/eventi');
    expect(page.body).toMatch(/<form class="filter" method="get" action="\/it\/eventi"/);
    expect(page.body).toContain('name="eta"');
    expect(page.body).toContain('name="settimana"');

    const inFive = cards((await get('/it/eventi?municipio=5')).body);
    expect(inFive).toHaveLength(1);
    expect(inFive[0]).toMatch(/^festa-di-natale-gratosoglio-/);

    // 0–3: the activities for the youngest and the parties (for every age), not the library (3–11).
    const youngest = cards((await get('/it/eventi?eta=0-3')).body);
    expect(youngest.some((s) => s.startsWith('spazio-mamma-bambino-'))).toBe(true);
    expect(youngest.some((s) => s.startsWith('festa-di-natale-qubi-casa-dei-giochi-'))).toBe(true);
    expect(youngest.some((s) => s.startsWith('biblioteca-di-quartiere-'))).toBe(false);
    expect(youngest.some((s) => s.startsWith('uscite-in-natura-'))).toBe(false);
    const filtered = await get('/it/eventi?eta=0-3');
    expect(filtered.body).toMatch(/<option value="0-3" selected/);
    expect(filtered.body).toMatch(/href="\/it\/eventi"[^>]*>Mostra tutti gli eventi<\/a>/);
    // The language switch keeps the filters.
    expect(filtered.body).toContain('href="/ar/eventi?eta=0-3"');

    // This week: every event listed starts before the end of Sunday.
    const events = await api();
    const end = endOfRomeWeek(new Date()).getTime();
    const thisWeek = cards((await get('/it/eventi?settimana=1')).body);
    for (const slug of thisWeek) {
      const e = events.find((x) => x.slug === slug)!;
      expect(new Date(e.start).getTime(), slug).toBeLessThan(end);
    }
    const later = events.filter((e) => new Date(e.start).getTime() >= end).map((e) => e.slug);
    for (const slug of later) expect(thisWeek).not.toContain(slug);

    // A value not offered by the form is ignored, not an error.
    expect((await get('/it/eventi?eta=2-5&municipio=99')).status).toBe(200);
  });
});

describe('an itinerary: the 17 December party', () => {
  it('shows its two stops in order, in JSON-LD as subEvents and in the .ics description', async () => {
    const slug = (await api()).find((e) => e.slug.startsWith('festa-di-natale-gratosoglio-'))!.slug;
    const page = await get(`/it/eventi/${slug}`);
    const stops = /<ol class="stops"[^>]*>([\s\S]*?)<\/ol>/.exec(page.body)![1]!;
    expect(stops.indexOf('16:30')).toBeLessThan(stops.indexOf('16:45'));
    expect(stops).toContain('Agorà delle Torri Bianche');
    expect(stops).toContain('Via Costantino Baroni 228');
    const ld = jsonLd(page.body);
    expect(ld.subEvent.map((s: { name: string; startDate: string }) => [s.name, s.startDate.slice(11, 16)])).toEqual([
      ['Agorà delle Torri Bianche', '16:30'],
      ['Comunità Oklahoma', '16:45'],
    ]);
    expect(ld.isAccessibleForFree).toBe(true);
    expect(ld.offers).toMatchObject({ '@type': 'Offer', price: '0', priceCurrency: 'EUR' });
    const ics = await get(`/it/eventi/${slug}.ics`);
    const unfolded = ics.body.replace(/\r\n /g, '');
    expect(unfolded).toContain('16:30 Agorà delle Torri Bianche\\, Via Saponaro');
    expect(unfolded).toContain('16:45 Comunità Oklahoma');
  });
});

describe('a date of a recurring activity', () => {
  it('says how it repeats, that its times are samples, lists the next dates and gives the series as .ics', async () => {
    const entry = (await api()).find((e) => e.series?.slug === 'spazio-mamma-bambino-quarto-oggiaro')!;
    const page = await get(`/it/eventi/${entry.slug}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Ogni martedì');
    expect(page.body).toContain('Giorni e orari sono di esempio');
    expect(page.body).toContain('Prossime date');
    expect(page.body).toContain(`href="/it/eventi/${entry.series!.occurrences[1]!.slug}"`);
    expect(page.body).toContain('0–3, 3–6 anni');
    const ld = jsonLd(page.body);
    expect(ld.eventSchedule).toMatchObject({ repeatFrequency: 'P1W', byDay: 'https://schema.org/Tuesday' });
    const ics = await get(`/it/eventi/${entry.slug}.ics`);
    expect(ics.type).toContain('text/calendar');
    expect(ics.body.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics.body).toMatch(/\r\nRRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=\d{8}T\d{6}Z\r\n/);
    expect(ics.body).toMatch(/\r\nDTSTART;TZID=Europe\/Rome:\d{8}T100000\r\n/);
  });

  it('the API lists the series once with its coming dates, and a family signs up for the second one', async () => {
    const events = await api('?locale=en');
    const entries = events.filter((e) => e.series?.slug === 'spazio-mamma-bambino-quarto-oggiaro');
    expect(entries).toHaveLength(1);
    const series = entries[0]!.series!;
    expect(series.repeats).toBe('Every Tuesday');
    expect(entries[0]!.occurrence).toBe(series.occurrences[0]!.date);
    expect(entries[0]!.facts.ageBands).toEqual(['0-3', '3-6']);
    const second = series.occurrences[1]!;
    expect(second.seats).toEqual({ total: 12, left: 12 });

    const res = await fetch(`${server.origin}/api/v1/events/${series.slug}/registrations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        occurrence: second.date,
        adults: 1,
        children: ['0-3'],
        name: 'Amina',
        email: 'amina@example.org',
        locale: 'ar',
      }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ event: second.slug, seats: 2, status: 'pending' });
    const after = (await api()).find((e) => e.series?.slug === series.slug)!.series!;
    expect(after.occurrences[1]!.seats).toEqual({ total: 12, left: 10 });
    // The other dates keep all their seats.
    expect(after.occurrences[0]!.seats).toEqual({ total: 12, left: 12 });
    expect(after.occurrences[2]!.seats).toEqual({ total: 12, left: 12 });

    const bad = await fetch(`${server.origin}/api/v1/events/${series.slug}/registrations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        occurrence: 'martedì',
        adults: 1,
        children: [],
        name: 'Amina',
        email: 'amina2@example.org',
        locale: 'ar',
      }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ fields: { occurrence: ar['series.error.occurrenceInvalid'] } });
  });
});
