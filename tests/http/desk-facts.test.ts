// Desks families can act on (issue #14), over HTTP against the built server: each desk's page says
// which languages are spoken (and the mediator's days), step-free access, what to bring, the lines
// and map links that load nothing from another origin; the list filters by language and access
// with a plain GET form; staff change the facts in the desk settings (bad input refused, nothing
// changed); the JSON API and HSDS carry them; geolocation is allowed to the site's own pages only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaffServer, signIn, get, submit, useServer, type StaffServer } from '../support/staff-http.ts';
import { parseForm, fillForm } from '../support/html-form.ts';

let staff: StaffServer;
beforeAll(async () => {
  staff = await startStaffServer();
  useServer(staff.server);
});
afterAll(async () => {
  await staff?.stop();
});

/** The text of the "Before you come" card. */
const factsOf = (html: string) =>
  /<section[^>]*aria-labelledby="before-you-come"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('a desk’s page', () => {
  it('says the languages, the mediator’s day, access, what to bring, the lines and the map links', async () => {
    const page = await get('/it/sportelli/quarto-oggiaro');
    expect(page.status).toBe(200);
    const facts = factsOf(page.html);
    expect(text(facts)).toContain('italiano, inglese e arabo');
    expect(text(facts)).toContain('mediatore culturale: martedì');
    expect(text(facts)).toContain('Senza gradini');
    expect(text(facts)).toContain('Un documento d’identità'.replace('’', "'"));
    expect(text(facts)).toContain('Passante S Quarto Oggiaro; bus 40, 57');
    expect(facts).toContain('href="https://www.openstreetmap.org/?mlat=45.5137&mlon=9.1371#map=18/45.5137/9.1371"');
    expect(facts).toContain('href="geo:45.5137,9.1371?q=45.5137,9.1371(Spazio%20Qu');
    expect(facts).toContain('Dato di esempio');
    // A link only: nothing on the page is loaded from another origin.
    expect(page.html).not.toMatch(/\b(src|srcset)="https?:/);
    expect(page.headers.get('permissions-policy')).toContain('geolocation=(self)');
  });

  it('speaks the reader’s language, in Arabic too, and marks the Italian-only text', async () => {
    const ar = factsOf((await get('/ar/sportelli/villapizzone')).html);
    expect(text(ar)).toContain('الإيطالية والإنجليزية والصينية');
    expect(text(ar)).toContain('توجد درجات عند المدخل');
    expect(text(ar)).toContain('الجمعة');
    const en = factsOf((await get('/en/sportelli/gallaratese')).html);
    expect(text(en)).toContain('Italian and Spanish');
    expect(text(en)).not.toContain('cultural mediator');
  });
});

describe('the desks list', () => {
  it('filters by a language spoken and by step-free access, with a GET form', async () => {
    const all = await get('/it/sportelli');
    expect(all.html).toMatch(/<select id="lingua" name="lingua">[\s\S]*<option value="zh">cinese<\/option>/);
    expect(all.html).toContain('<input type="checkbox" name="senzagradini" id="senzagradini" value="1"');
    const chinese = await get('/it/sportelli?lingua=zh');
    expect(chinese.html).toContain('/it/sportelli/villapizzone"');
    expect(chinese.html).not.toContain('/it/sportelli/gallaratese"');
    expect(chinese.html).toMatch(/<option value="zh" selected>/);
    const stepFree = await get('/it/sportelli?senzagradini=1');
    expect(stepFree.html).toContain('/it/sportelli/gallaratese"');
    expect(stepFree.html).not.toContain('/it/sportelli/villapizzone"');
    // Each card carries its coordinates for the "nearest desk" island (sorted in the browser).
    expect(all.html).toContain('data-lat="45.4957" data-lon="9.1128"');
  });
});

describe('staff edit the facts in the desk settings', () => {
  it('refuses bad input with a message and changes nothing, then saves and the public page shows it', async () => {
    const { cookie } = await signIn(staff.accounts.coordinator);
    const path = '/it/staff/agenda/gallaratese/impostazioni';
    const page = await get(path, cookie);
    expect(page.status).toBe(200);
    const forms = [...page.html.matchAll(/<form\b[^>]*>/g)];
    const index = forms.findIndex((f) => f[0].includes('agenda.saveFacts'));
    const form = parseForm(page.html, path, index);
    expect(form.fields).toEqual(expect.arrayContaining([['languages', 'it, es']]));

    const refused = await submit(form.action, fillForm(form, { latitude: '45,5', longitude: '' }), { cookie });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Scrivi sia la latitudine sia la longitudine');
    expect(text(factsOf((await get('/it/sportelli/gallaratese')).html))).toContain('italiano e spagnolo');

    const saved = await submit(
      form.action,
      fillForm(form, {
        languages: 'it, uk, es',
        'mediator-3': '1',
        stepFree: 'no',
        whatToBring: 'La tessera sanitaria.',
        transit: 'M1 Uruguay',
      }),
      { cookie },
    );
    // 303 back to the settings, which say so.
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('Informazioni per le famiglie salvate.');
    const facts = text(factsOf((await get('/it/sportelli/gallaratese')).html));
    expect(facts).toContain('italiano, ucraino e spagnolo');
    expect(facts).toContain('mediatore culturale: mercoledì');
    expect(facts).toContain('Ci sono gradini');
    expect(facts).toContain('M1 Uruguay');
    expect(facts).not.toContain('Dato di esempio');
    // The Italian text changed: other languages show it marked, not the old translation.
    const en = factsOf((await get('/en/sportelli/gallaratese')).html);
    expect(en).toContain('<span lang="it" dir="auto">La tessera sanitaria.</span>');
    expect(en).toContain('(only in Italian)');
    const list = await get('/it/sportelli?lingua=uk');
    expect(list.html).toContain('/it/sportelli/gallaratese"');
  });
});

describe('open data', () => {
  it('the JSON API and HSDS carry languages, access, lines and coordinates', async () => {
    const desks = JSON.parse((await get('/api/v1/desks?municipio=8')).html) as Record<string, unknown>[];
    expect(desks.find((d) => d.slug === 'villapizzone')).toMatchObject({
      languages: ['it', 'en', 'zh'],
      mediatorWeekdays: [5],
      stepFree: false,
      transit: 'Passante S Villapizzone; tram 12, 14',
      coordinates: { latitude: 45.5012, longitude: 9.1515 },
      sampleFacts: true,
    });
    const hsds = JSON.parse((await get('/api/hsds/locations?per_page=200&locale=en')).html) as {
      contents: { name: string; languages?: { code: string; name: string }[]; accessibility?: unknown[] }[];
    };
    const villapizzone = hsds.contents.find((l) => l.name === 'Spazio QuBì Villapizzone');
    expect(villapizzone).toMatchObject({
      transportation: 'Passante S Villapizzone; tram 12, 14',
      latitude: 45.5012,
      longitude: 9.1515,
    });
    expect(villapizzone?.languages?.map((l) => l.code)).toEqual(['it', 'en', 'zh']);
    expect(villapizzone?.accessibility).toHaveLength(1);
  });
});
