// The staff screens of recurring activities over plain HTTP (issue #13): the coordinator of
// Municipio 8 sees a seeded activity's page with its dates, cancels one, moves another, and is
// offered both for a date with a family signed up, told they will be written to; the staff
// list shows the activity once. A coordinator of another municipio and a partner of another
// organisation get 403 for the page and every form, and nothing changes. A new series is made
// from the form, without JavaScript.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { parseForm } from '../support/html-form.ts';

let server: RunningServer;
let seriesId = 0;
const days: string[] = [];
const tokens: Record<'coord2' | 'coord8' | 'partner', string> = { coord2: '', coord8: '', partner: '' };

beforeAll(async () => {
  server = await startServer(
    {},
    {
      async prepare(db) {
        const organisation = await db.selectFrom('organisation').select('id').orderBy('id').executeTakeFirstOrThrow();
        for (const [who, role, municipi] of [
          ['coord2', 'coordinator', [2]],
          ['coord8', 'coordinator', [8]],
          ['partner', 'partner_editor', []],
        ] as const) {
          const id = await createUser(db, {
            email: `${who}@comune.example`,
            displayName: who,
            role,
            municipi: [...municipi],
            ...(role === 'partner_editor' ? { organisationId: organisation.id } : {}),
          });
          tokens[who] = generateSessionToken();
          await createSession(db, tokens[who], id, { twoFactorVerified: true });
        }
        const series = await db
          .selectFrom('event_series')
          .select('id')
          .where('slug', '=', 'spazio-mamma-bambino-quarto-oggiaro')
          .executeTakeFirstOrThrow();
        seriesId = series.id;
        const dates = await db
          .selectFrom('event')
          .select(['id', 'occurrence_date'])
          .where('series_id', '=', series.id)
          .where('starts_at', '>', new Date(Date.now() + 86_400_000))
          .orderBy('starts_at')
          .limit(3)
          .execute();
        days.push(...dates.map((d) => d.occurrence_date!));
        // A family signed up for the first of them.
        await db
          .insertInto('event_registration')
          .values({
            reference: 'QE-SERIE-1',
            event_id: dates[0]!.id,
            adults: 1,
            seats: 1,
            name: 'Famiglia',
            phone: '+393331112299',
            email: null,
            locale: 'it',
            status: 'confirmed',
          })
          .execute();
        await db.updateTable('event').set({ seats_taken: 1 }).where('id', '=', dates[0]!.id).execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

type Who = keyof typeof tokens;
/** Each person's cookies besides the session (the draft a refused form leaves for the next GET). */
const jars: Record<Who, Map<string, string>> = { coord2: new Map(), coord8: new Map(), partner: new Map() };
const request = async (who: Who, path: string, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  const jar = [...jars[who]].map(([k, v]) => `${k}=${v}`);
  headers.set('Cookie', [`qubi_session=${tokens[who]}`, ...jar].join('; '));
  const res = await fetch(server.origin + path, { redirect: 'manual', ...init, headers });
  for (const cookie of res.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
    if (value) jars[who].set(name, value);
    else jars[who].delete(name);
  }
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
};
const post = (who: Who, path: string, fields: [string, string][]) =>
  request(who, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
    body: new URLSearchParams(fields).toString(),
  });

/** Every form of the page that posts to this action. */
function formsOf(html: string, path: string, action: string) {
  const count = [...html.matchAll(/<form\b/g)].length;
  return Array.from({ length: count }, (_, i) => parseForm(html, path, i)).filter((f) =>
    f.action.includes(`_action=${action}`),
  );
}
const formFor = (html: string, path: string, action: string, day: string) =>
  formsOf(html, path, action).find((f) => f.fields.some(([k, v]) => k === 'day' && v === day))!;

const ACTIONS = [
  'events.cancelSeriesDate',
  'events.moveSeriesDate',
  'events.editSeries',
  'events.publishSeries',
] as const;

describe('a recurring activity’s staff page', () => {
  it('is refused (403) to another municipio’s coordinator and another organisation’s partner, page and forms', async () => {
    const path = `/it/staff/eventi/serie/${seriesId}`;
    const page = await request('coord8', path);
    expect(page.status).toBe(200);
    const before = page.html;
    const forms = {
      'events.cancelSeriesDate': formFor(page.html, path, 'events.cancelSeriesDate', days[1]!),
      'events.moveSeriesDate': formFor(page.html, path, 'events.moveSeriesDate', days[1]!),
      'events.editSeries': formsOf(page.html, path, 'events.editSeries')[0]!,
      'events.publishSeries': { action: `${path}?_action=events.publishSeries`, fields: [] as [string, string][] },
    };
    for (const who of ['coord2', 'partner'] as const) {
      expect((await request(who, path)).status).toBe(403);
      for (const action of ACTIONS) {
        const form = forms[action];
        const fields: [string, string][] =
          action === 'events.moveSeriesDate'
            ? [...form.fields, ['toDate', days[2]!], ['startTime', '10:00']]
            : form.fields;
        expect((await post(who, form.action, fields)).status, `${who} ${action}`).toBe(403);
      }
    }
    // Nothing changed (the page is the same but for its per-request nonce and form stamps).
    const strip = (html: string) => html.replace(/nonce="[^"]*"/g, '').replace(/name="_stamp" value="[^"]*"/g, '');
    expect(strip((await request('coord8', path)).html)).toBe(strip(before));
  });

  it('cancels one date, moves another, and offers both for a date with a family signed up, saying they are told', async () => {
    const path = `/it/staff/eventi/serie/${seriesId}`;
    const page = await request('coord8', path);
    // The date with a family offers its forms too and says the family will be told (what they are
    // sent: tests/integration/date-notices.test.ts; the date stays for the next test's edit).
    expect(page.html).toContain('Famiglie iscritte: se annulli o sposti la data, ricevono un SMS o un’email.');
    expect(formFor(page.html, path, 'events.cancelSeriesDate', days[0]!)).toBeDefined();
    expect(formFor(page.html, path, 'events.moveSeriesDate', days[0]!)).toBeDefined();

    const cancel = formFor(page.html, path, 'events.cancelSeriesDate', days[1]!);
    const done = await post('coord8', cancel.action, cancel.fields);
    expect(done.status).toBe(303);
    expect(done.location).toContain('done=dateCancelled');
    const after = await request('coord8', done.location!);
    expect(after.html).toContain('La data è stata annullata.');
    expect(formFor(after.html, path, 'events.cancelSeriesDate', days[1]!)).toBeUndefined();

    const moveForm = formFor(after.html, path, 'events.moveSeriesDate', days[2]!);
    const move = { ...moveForm, fields: moveForm.fields.filter(([k]) => k === 'intent' || k === 'day') };
    const bad = await post('coord8', move.action, [...move.fields, ['toDate', 'domani'], ['startTime', '25:00']]);
    expect((await request('coord8', bad.location!)).html).toContain('aria-invalid="true"');
    const moved = await post('coord8', move.action, [...move.fields, ['toDate', days[2]!], ['startTime', '10:15']]);
    expect(moved.location).toContain('done=dateMoved');
    expect((await request('coord8', path)).html).toMatch(/10:15/);
  });

  it('is one row of the staff list, with a link to its dates', async () => {
    const list = await request('coord8', '/it/staff/eventi');
    expect(list.status).toBe(200);
    const links = [...list.html.matchAll(new RegExp(`href="/it/staff/eventi/serie/${seriesId}"`, 'g'))];
    expect(links).toHaveLength(1);
  });

  it('saves the whole series through its form: every coming date changes, its sign-ups and taken seats kept', async () => {
    const path = `/it/staff/eventi/serie/${seriesId}`;
    const page = await request('coord8', path);
    const form = formsOf(page.html, path, 'events.editSeries')[0]!;
    // The form comes filled with the series as it is; change the title, the venue and the seats.
    const changed: Record<string, string> = {
      'title-it': 'Spazio mamme e bambini (nuova sede)',
      venue: 'Spazio QuBì Pascarella',
      seats: '14',
    };
    for (const name of Object.keys(changed)) expect(form.fields.map(([k]) => k)).toContain(name);
    const fields = form.fields.map(([k, v]): [string, string] => [k, changed[k] ?? v]);
    const saved = await post('coord8', form.action, fields);
    expect(saved.status).toBe(303);
    expect(saved.location).toContain('done=saved');
    const after = await request('coord8', saved.location!);
    expect(after.status).toBe(200);
    // Each coming date's public page shows the new content, the one with a family signed up too.
    for (const day of [days[0]!, days[2]!]) {
      const date = await request('coord8', `/it/eventi/spazio-mamma-bambino-quarto-oggiaro-${day}`);
      expect(date.status, day).toBe(200);
      expect(date.html).toContain('Spazio mamme e bambini (nuova sede)');
      expect(date.html).toContain('Spazio QuBì Pascarella');
    }
    // Seats through the API: 14 on each coming date, the signed-up family's seat still taken.
    const api = (await (await fetch(`${server.origin}/api/v1/events?limit=100`)).json()) as {
      series: null | { slug: string; occurrences: { date: string; seats: { total: number; left: number } | null }[] };
    }[];
    const occurrences = api.find((e) => e.series?.slug === 'spazio-mamma-bambino-quarto-oggiaro')!.series!.occurrences;
    const byDay = new Map(occurrences.map((o) => [o.date, o.seats]));
    expect(byDay.get(days[0]!)).toEqual({ total: 14, left: 13 });
    expect(byDay.get(days[2]!)).toEqual({ total: 14, left: 14 });
  });

  it('a new series from the form lands on its page with its dates as drafts', async () => {
    const path = '/it/staff/eventi/serie/nuova';
    expect((await request('partner', path)).status).toBe(200);
    const page = await request('coord8', path);
    const form = formsOf(page.html, path, 'events.createSeries')[0]!;
    const fill: Record<string, string> = {
      'title-it': 'Biblioteca del sabato',
      'summary-it': 'Letture',
      'description-it': 'Letture ad alta voce.',
      venue: 'Biblioteca Quarto Oggiaro',
      address: 'Via Carbonia 1',
      startDate: '2027-02-06',
      startTime: '10:00',
      endTime: '11:30',
      seats: '15',
      frequency: 'weekly',
      count: '4',
      municipioId: '8',
    };
    const fields = form.fields.filter(([k]) => !(k in fill)).concat(Object.entries(fill));
    const made = await post('coord8', form.action, fields);
    expect(made.status).toBe(303);
    expect(made.location).toMatch(/\/it\/staff\/eventi\/serie\/\d+\?done=created$/);
    const shown = await request('coord8', made.location!);
    expect(shown.html).toContain('Le date sono state create come bozze.');
    expect(shown.html).toContain('4 date: 0 pubblicate, 4 da pubblicare, 0 annullate.');
    // Without an end the rule is refused, the answers kept.
    const refused = await post(
      'coord8',
      form.action,
      fields.filter(([k]) => k !== 'count'),
    );
    const again = await request('coord8', refused.location!);
    expect(again.status).toBe(422);
    expect(again.html).toContain('Indica fino a quale giorno, o per quante date.');
    expect(again.html).toContain('value="Biblioteca Quarto Oggiaro"');
  });
});
