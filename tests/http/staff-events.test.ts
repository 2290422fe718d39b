// The staff event pages over plain HTTP, as a browser without JavaScript uses them: signed-in
// partners, coordinators, a desk operator and an admin (accounts and sessions written into the
// server's database before it starts), forms posted with 303 redirects, the GOV.UK error summary
// with the input kept, 403 for everything the policy refuses (nothing changed), and the public
// pages changing at once when an event is published, edited or cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { submit as submitForm, useServer } from '../support/staff-http.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { LOCALES } from '#/lib/locales.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { decodeEntities as decode } from '../support/html-form.ts';
import { tagAttributes as attrs } from '../support/html-attributes.ts';

let server: RunningServer;
const PAGED_EVENTS = 61;
const tokens: Record<string, string> = {};
type Who = 'admin' | 'coord2' | 'coord8' | 'operator' | 'partnerA' | 'partnerB' | 'anonymous';

beforeAll(async () => {
  server = await startServer(
    { RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000', RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '10000' },
    {
      async prepare(db) {
        const org = async (name: string) =>
          (await db.selectFrom('organisation').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
        const desk = (
          await db.selectFrom('desk').select('id').where('slug', '=', 'quarto-oggiaro').executeTakeFirstOrThrow()
        ).id;
        const people: [Who, Parameters<typeof createUser>[1]][] = [
          ['admin', { email: 'admin@comune.example', displayName: 'Admin', role: 'admin' }],
          ['coord2', { email: 'coord2@comune.example', displayName: 'Coord Due', role: 'coordinator', municipi: [2] }],
          ['coord8', { email: 'coord8@comune.example', displayName: 'Coord Otto', role: 'coordinator', municipi: [8] }],
          [
            'operator',
            { email: 'desk@comune.example', displayName: 'Operatore', role: 'desk_operator', desks: [desk] },
          ],
          [
            'partnerA',
            {
              email: 'a@partner.example',
              displayName: 'Partner A',
              role: 'partner_editor',
              organisationId: await org('Casa dei Giochi'),
            },
          ],
          [
            'partnerB',
            {
              email: 'b@partner.example',
              displayName: 'Partner B',
              role: 'partner_editor',
              organisationId: await org('Comunità Oklahoma'),
            },
          ],
        ];
        // A city-sized list for the paging tests: 61 one-off events in Municipio 7 (no coordinator
        // here), a day apart from 2030 on: 51 drafts, 9 published, and the oldest sent for review.
        await db
          .insertInto('event')
          .values(
            Array.from({ length: PAGED_EVENTS }, (_, i) => ({
              slug: `pagina-${String(i).padStart(2, '0')}`,
              municipio_id: 7,
              title: JSON.stringify({ it: `Paginata ${String(i).padStart(2, '0')}` }),
              summary: JSON.stringify({ it: 'Riassunto.' }),
              description: JSON.stringify({ it: 'Descrizione.' }),
              venue: 'Spazio',
              address: 'Via Prova 1, Milano',
              starts_at: new Date(Date.UTC(2030, 0, 1 + i, 16)),
              ends_at: null,
              status: i === 0 ? ('submitted' as const) : i <= 9 ? ('published' as const) : ('draft' as const),
            })),
          )
          .execute();
        for (const [who, user] of people) {
          const id = await createUser(db, user);
          // Admins must have a second factor; this session has passed it.
          if (user.role === 'admin')
            await db
              .updateTable('app_user')
              .set({ totp_secret: 'x', totp_enabled_at: new Date() })
              .where('id', '=', id)
              .execute();
          tokens[who] = generateSessionToken();
          await createSession(db, tokens[who]!, id, { twoFactorVerified: true });
        }
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

interface Page {
  status: number;
  html: string;
  headers: Headers;
}
type Fields = [string, string][];

async function request(who: Who, path: string, init: RequestInit = {}): Promise<Page> {
  const headers = new Headers(init.headers);
  if (who !== 'anonymous')
    headers.set('Cookie', [`qubi_session=${tokens[who]}`, headers.get('Cookie')].filter(Boolean).join('; '));
  const res = await fetch(server.origin + path, { redirect: 'manual', ...init, headers });
  return { status: res.status, html: await res.text(), headers: res.headers };
}
const get = (who: Who, path: string) => request(who, path);
/** A form post followed, when it answers 303 back to the form, by the GET that shows its errors. */
const submit = (who: Who, path: string, fields: Fields) => {
  useServer(server);
  return submitForm(path, fields, who === 'anonymous' ? {} : { cookie: `qubi_session=${tokens[who]}` });
};
const post = (who: Who, path: string, fields: Fields) =>
  request(who, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
    body: new URLSearchParams(fields).toString(),
  });

/**
 * Where the page's form with this intent posts (its Astro Action's address), read from the page as
 * a browser has it (an admin's view of the page, which shows every form the event's status allows);
 * remembered, as a tab left open keeps it after the event moved on.
 */
const formAddresses = new Map<string, string>();
async function formAddress(path: string, fields: Fields): Promise<string> {
  const intent = fields.find(([k]) => k === 'intent')?.[1] ?? 'save';
  const known = formAddresses.get(`${path} ${intent}`);
  if (known) return known;
  const page = await get('admin', path);
  const form = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].find((m) =>
    m[2]!.includes(`name="intent" value="${intent}"`),
  );
  const action = form && attrs(`<f ${form[1]}`).action;
  if (!action) throw new Error(`no form for ${intent} on ${path} (${page.status})`);
  formAddresses.set(`${path} ${intent}`, action);
  return action;
}
const postForm = async (who: Who, path: string, fields: Fields) => post(who, await formAddress(path, fields), fields);
const submitForm_ = async (who: Who, path: string, fields: Fields) =>
  submit(who, await formAddress(path, fields), fields);

/** The fields of the page's event form (the one with intent=save), as a browser would send them. */
function eventForm(page: Page): Fields {
  const match = [...page.html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)].find((m) =>
    m[1]!.includes('name="intent" value="save"'),
  );
  if (!match) throw new Error(`no event form (${page.status}):\n${page.html.slice(0, 1500)}`);
  const fields: Fields = [];
  for (const input of match[1]!.matchAll(/<input\b[^>]*>/g)) {
    const a = attrs(input[0]);
    // A browser sends a box or a radio button only when it is checked (the event's facts, #13).
    if ((a.type === 'checkbox' || a.type === 'radio') && !('checked' in a)) continue;
    if (a.name) fields.push([a.name, a.value ?? '']);
  }
  for (const area of match[1]!.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g))
    fields.push([attrs(`<t ${area[1]}`).name!, decode(area[2]!)]);
  for (const select of match[1]!.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const options = [...select[2]!.matchAll(/<option\b[^>]*>/g)].map((o) => attrs(o[0]));
    fields.push([attrs(`<s ${select[1]}`).name!, (options.find((o) => 'selected' in o) ?? options[0])?.value ?? '']);
  }
  return fields;
}
const withFields = (fields: Fields, changes: Record<string, string>): Fields => [
  ...fields.filter(([k]) => !(k in changes)),
  ...Object.entries(changes),
];

const NEW_EVENT: Record<string, string> = {
  intent: 'save',
  'title-it': "Tombolata dell'Epifania",
  'title-en': 'Epiphany bingo',
  'summary-it': 'Tombola per famiglie con premi.',
  'description-it': 'Porta:\n- la tua **cartella**\n- un dolce',
  venue: 'La Casa dei Giochi',
  address: 'Via Sant’Uguzzone 8, 20126 Milano',
  startDate: '2027-01-06',
  startTime: '15:30',
  endDate: '',
  endTime: '18:00',
  municipioId: '2',
};
let eventPath = '';
let slug = '';

describe('who gets in', () => {
  it('sends the anonymous to sign in and answers 404 outside Italian and English', async () => {
    const page = await get('anonymous', '/it/staff/eventi');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/it/staff/accesso?next=%2Fit%2Fstaff%2Feventi');
    expect((await get('partnerA', '/ar/staff/eventi')).status).toBe(404);
  });

  it('refuses desk operators (403)', async () => {
    expect((await get('operator', '/it/staff/eventi')).status).toBe(403);
    expect((await get('operator', '/it/staff/eventi/nuovo')).status).toBe(403);
    expect((await post('operator', '/it/staff/eventi/nuovo', Object.entries(NEW_EVENT))).status).toBe(403);
  });

  it('shows the list and the new-event form to partners, never cached', async () => {
    const list = await get('partnerA', '/it/staff/eventi');
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.html).toContain('href="/it/staff/eventi/nuovo"');
    const form = await get('partnerA', '/en/staff/eventi/nuovo');
    expect(form.status).toBe(200);
    expect(form.html).toContain('id="lang-zh"');
    expect(form.html).toContain('Organisation: Casa dei Giochi');
    expect(form.html).not.toContain('name="organisationId"');
  });
});

describe('writing an event', () => {
  it('shows the GOV.UK error summary and keeps the input', async () => {
    const page = await submitForm_(
      'partnerA',
      '/it/staff/eventi/nuovo',
      Object.entries({ ...NEW_EVENT, 'title-it': '', venue: "Sala 'A'; --", startTime: '25:99' }),
    );
    expect(page.status).toBe(422);
    expect(page.html).toContain('class="error-summary"');
    expect(page.html).toContain('href="#title-it"');
    expect(page.html).toContain('href="#startTime"');
    expect(page.html).toContain(`value="Sala 'A'; --"`);
    expect(page.html).toContain('value="25:99"');
    expect(page.html).toMatch(/<title>Errore: /);
  });

  it('answers a form with errors with 303 back to it: a reload or the other language shows the input again, nothing in the address', async () => {
    const fields = Object.entries({ ...NEW_EVENT, 'title-it': '', venue: 'Sala del Quartiere', startTime: '25:99' });
    const posted = await postForm('partnerA', '/it/staff/eventi/nuovo', fields);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/it/staff/eventi/nuovo');
    const draft = posted.headers
      .getSetCookie()
      .find((c) => c.startsWith('qubi-draft-staff='))!
      .split(';')[0]!;
    const en = await request('partnerA', '/en/staff/eventi/nuovo', { headers: { Cookie: draft } });
    expect(en.status).toBe(422);
    expect(en.html).toContain('value="Sala del Quartiere"');
    expect(en.html).toContain('href="#startTime"');
    // Another person's browser (no draft) gets the empty form.
    expect((await get('partnerA', '/en/staff/eventi/nuovo')).html).not.toContain('Sala del Quartiere');
  });

  it('keeps every character of five long descriptions across the 303, however big the draft', async () => {
    // Text that does not compress into a cookie: words drawn pseudo-randomly from each language.
    const words: Record<string, string[]> = {
      it: ['zaino', 'quaderno', 'città', 'perché', '<b>', '&', 'l’asilo', '"nido"'],
      en: ['backpack', 'notebook', 'school', 'family', 'free', 'kindergarten', '<i>', '&amp;'],
      ar: ['حقيبة', 'دفتر', 'مدرسة', 'عائلة', 'مجاني', 'روضة', 'الأطفال', 'ميلانو'],
      es: ['mochila', 'cuaderno', 'niños', 'familia', 'gratuito', 'guardería', 'año', '¿dónde?'],
      zh: ['书包', '笔记本', '学校', '家庭', '免费', '幼儿园', '您好', '米兰'],
    };
    let seed = 7;
    const prose = (locale: string, length: number) => {
      let text = '';
      while (text.length < length)
        text += `${words[locale]![(seed = (seed * 1103515245 + 12345) % 2 ** 31) % 8]}${seed % 11 === 0 ? '\n\n' : ' '}`;
      return text.slice(0, length).trimEnd() + '.';
    };
    // The Italian one at the form's own limit (10,000), the others well over 1,500 characters.
    const descriptions = Object.fromEntries(
      ['it', 'en', 'ar', 'es', 'zh'].map((l) => [`description-${l}`, prose(l, l === 'it' ? 9999 : 1600)]),
    );
    const fields = Object.entries({ ...NEW_EVENT, ...descriptions, startTime: '25:99' });
    const posted = await postForm('partnerA', '/it/staff/eventi/nuovo', fields);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/it/staff/eventi/nuovo');
    const line = posted.headers.getSetCookie().find((c) => c.startsWith('qubi-draft-staff='))!;
    expect(line.length).toBeLessThan(4096); // a cookie any browser keeps
    const draft = line.split(';')[0]!;
    for (const locale of ['it', 'en']) {
      const page = await request('partnerA', `/${locale}/staff/eventi/nuovo`, { headers: { Cookie: draft } });
      expect(page.status).toBe(422);
      expect(page.html).toContain('href="#startTime"');
      const shown = Object.fromEntries(eventForm(page).filter(([name]) => name.startsWith('description-')));
      for (const [name, text] of Object.entries(descriptions)) expect(shown[name], name).toBe(text);
    }
  });

  it('points a refused choice of step-free access to its error, for a screen reader', async () => {
    const posted = await postForm('partnerA', '/it/staff/eventi/nuovo', [
      ...Object.entries(NEW_EVENT),
      ['stepFree', 'forse'],
    ]);
    expect(posted.status).toBe(303);
    const draft = posted.headers
      .getSetCookie()
      .find((c) => c.startsWith('qubi-draft-staff='))!
      .split(';')[0]!;
    const page = await request('partnerA', '/it/staff/eventi/nuovo', { headers: { Cookie: draft } });
    expect(page.status).toBe(422);
    expect(page.html).toContain('href="#stepFree"');
    const select = /<select[^>]*\bid="stepFree"[^>]*>/.exec(page.html)?.[0] ?? '';
    expect(select).toContain('aria-invalid="true"');
    expect(select).toMatch(/aria-describedby="[^"]*\bstepFree-error\b/);
    expect(page.html).toMatch(/id="stepFree-error"[^>]*>[^]*?Errore:/);
  });

  it('creates a draft and redirects to it', async () => {
    const page = await postForm('partnerA', '/it/staff/eventi/nuovo', Object.entries(NEW_EVENT));
    expect(page.status).toBe(303);
    const location = page.headers.get('location')!;
    expect(location).toMatch(/^\/it\/staff\/eventi\/\d+\?done=created$/);
    eventPath = location.replace(/\?.*$/, '');
    const draft = await get('partnerA', location);
    expect(draft.status).toBe(200);
    expect(draft.html).toContain('role="status"');
    expect(draft.html).toMatch(/<strong[^>]*>bozza<\/strong>/);
    expect(draft.html).toContain('name="intent" value="submit"');
    expect(draft.html).not.toContain('name="intent" value="publish"');
    const values = Object.fromEntries(eventForm(draft));
    expect(values).toMatchObject({
      'title-it': "Tombolata dell'Epifania",
      'description-it': NEW_EVENT['description-it'],
      startDate: '2027-01-06',
      startTime: '15:30',
      endTime: '18:00',
      municipioId: '2',
    });
  });

  it('saves the facts and stops families see (#13), naming a bad stop in the staff language', async () => {
    const facts = /^(age-|priceKind$|price$|stepFree$|lis$|childcare$|languages$|stop\d)/;
    const base = eventForm(await get('partnerA', eventPath)).filter(([k]) => !facts.test(k));
    const stop: Fields = [
      ['stop1Place', 'Agorà delle Torri Bianche'],
      ['stop1Address', 'Via Saponaro'],
    ];
    const bad = await submitForm_('partnerA', eventPath, [...base, ['stop1Time', '25:00'], ...stop]);
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('href="#stop1Time"');
    expect(bad.html).toContain('Scrivi l’ora della tappa, per esempio 16:30.');
    const saved = await postForm('partnerA', eventPath, [
      ...base,
      ['age-3-6', '1'],
      ['priceKind', 'price'],
      ['price', '5'],
      ['lis', '1'],
      ['languages', 'it, ar'],
      ['stop1Time', '15:00'],
      ...stop,
    ]);
    expect(saved.status).toBe(303);
    const page = (await get('partnerA', eventPath)).html;
    expect(page).toMatch(/<input[^>]*id="age-3-6"[^>]*checked/);
    expect(page).not.toMatch(/<input[^>]*id="age-0-3"[^>]*checked/);
    expect(page).toMatch(/<input[^>]*id="priceKind-price"[^>]*checked/);
    expect(page).toMatch(/<input[^>]*id="price"[^>]*value="5,00"/);
    expect(page).toMatch(/<input[^>]*id="lis"[^>]*checked/);
    expect(page).toMatch(/<input[^>]*id="stop1Time"[^>]*value="15:00"/);
    expect(page).toMatch(/<input[^>]*id="stop1Place"[^>]*value="Agorà delle Torri Bianche"/);
  });

  it('a date of a recurring activity says that edits change that date only (#13)', async () => {
    const list = await get('coord8', '/it/staff/eventi');
    const id = /href="\/it\/staff\/eventi\/(\d+)"[^>]*>\s*Spazio mamma-bambino 0–6/.exec(list.html)![1]!;
    const page = await get('coord8', `/it/staff/eventi/${id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Questa è una data di un’attività che si ripete (');
    expect((await get('partnerA', eventPath)).html).not.toContain('attività che si ripete');
  });

  it('another partner, and a coordinator elsewhere, get 403 and change nothing', async () => {
    const before = await get('partnerA', eventPath);
    expect((await get('partnerB', eventPath)).status).toBe(403);
    expect(
      (await postForm('partnerB', eventPath, withFields(eventForm(before), { 'title-it': 'Rubato' }))).status,
    ).toBe(403);
    expect((await postForm('partnerB', eventPath, [['intent', 'submit']])).status).toBe(403);
    expect((await get('coord8', eventPath)).status).toBe(403);
    const after = await get('partnerA', eventPath);
    expect(eventForm(after)).toEqual(eventForm(before));
    expect(after.html).toMatch(/<strong[^>]*>bozza<\/strong>/);
  });
});

describe('review and publication', () => {
  it('submit → the coordinator of Municipio 2 sees it to review; the one of Municipio 8 cannot publish', async () => {
    const submitted = await postForm('partnerA', eventPath, [['intent', 'submit']]);
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(`${eventPath}?done=submitted`);
    const list = await get('coord2', '/it/staff/eventi');
    const toReview = list.html.split('id="to-review"')[1]!.split('</section>')[0]!;
    expect(toReview).toContain('Tombolata dell&#39;Epifania');
    expect((await postForm('coord8', eventPath, [['intent', 'publish']])).status).toBe(403);
    expect((await postForm('partnerA', eventPath, [['intent', 'publish']])).status).toBe(403);
  });

  it('the review screen lists the languages that will show a text in Italian, before publishing (#14)', async () => {
    const review = await get('coord2', eventPath);
    const missing = review.html.split('id="missing-translations"')[1]!.split('</section>')[0]!;
    // The title has an English version; the summary and description are Italian only.
    expect(missing).toContain('<span lang="en">English</span>: Riassunto e Descrizione');
    expect(missing).toContain('<span lang="ar">العربية</span>: Titolo, Riassunto e Descrizione');
    const en = await get('coord2', eventPath.replace('/it/', '/en/'));
    expect(en.html).toContain('Texts that will stay in Italian');
  });

  it('send back needs a reason; the partner then reads it', async () => {
    const empty = await submitForm_('coord2', eventPath, [
      ['intent', 'sendBack'],
      ['reviewNote', '  '],
    ]);
    expect(empty.status).toBe(422);
    expect(empty.html).toContain('href="#reviewNote"');
    const sent = await postForm('coord2', eventPath, [
      ['intent', 'sendBack'],
      ['reviewNote', 'Aggiungi <l’orario> & il costo'],
    ]);
    expect(sent.status).toBe(303);
    const page = await get('partnerA', eventPath);
    expect(page.html).toContain('Aggiungi &lt;l’orario&gt; &amp; il costo');
    expect(page.html).toMatch(/<strong[^>]*>bozza<\/strong>/);
  });

  it('publishing shows the event on the cached public pages at once', async () => {
    // Warm the route cache of the public list first.
    const warm = await get('anonymous', '/it/eventi');
    expect(warm.html).not.toContain('Tombolata');
    expect((await postForm('partnerA', eventPath, [['intent', 'submit']])).status).toBe(303);
    const published = await postForm('coord2', eventPath, [['intent', 'publish']]);
    expect(published.status).toBe(303);
    expect(published.headers.get('location')).toBe(`${eventPath}?done=published`);
    // A second publish (another moderator, a double click) finds nothing to do.
    expect((await submitForm_('admin', eventPath, [['intent', 'publish']])).status).toBe(409);
    const list = await get('anonymous', '/it/eventi');
    expect(list.html).toContain('Tombolata dell&#39;Epifania');
    slug = /href="\/it\/eventi\/(tombolata-dell-epifania-2027[a-z0-9-]*)"/.exec(list.html)![1]!;
    const page = await get('anonymous', `/it/eventi/${slug}`);
    expect(page.status).toBe(200);
    // The description is Markdown, rendered.
    expect(page.html).toContain('<li>la tua <strong>cartella</strong></li>');
    const en = await get('anonymous', `/en/eventi/${slug}`);
    expect(en.html).toContain('Epiphany bingo');
  });

  it('an edit of the published event waits for review while the published version stays live', async () => {
    const page = await get('partnerA', eventPath);
    expect(page.html).toContain('Salva e proponi la modifica');
    expect((await get('anonymous', `/it/eventi/${slug}`)).status).toBe(200);
    const saved = await postForm(
      'partnerA',
      eventPath,
      withFields(eventForm(page), { 'summary-it': 'Tombola per famiglie, con premi per tutti.' }),
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${eventPath}?done=backToReview`);
    // The public pages keep the published version.
    const live = await get('anonymous', `/it/eventi/${slug}`);
    expect(live.status).toBe(200);
    expect(live.html).not.toContain('con premi per tutti');
    expect((await get('anonymous', '/it/eventi')).html).toContain('Tombolata');
    // The partner's form shows the change waiting: it round-trips, nothing else changed.
    const after = Object.fromEntries(eventForm(await get('partnerA', eventPath)));
    expect(after).toMatchObject({
      ...Object.fromEntries(eventForm(page)),
      'summary-it': 'Tombola per famiglie, con premi per tutti.',
    });
    // The coordinator has it to review, sees the one field changed, and may approve it; the other may not.
    const list = await get('coord2', '/it/staff/eventi');
    expect(list.html.split('id="to-review"')[1]!.split('</section>')[0]).toContain('Tombolata dell&#39;Epifania');
    const review = await get('coord2', eventPath);
    expect([...review.html.matchAll(/<li data-field="([^"]+)"/g)].map((m) => m[1])).toEqual(['summary-it']);
    expect(review.html).toContain('name="intent" value="publish"');
    expect((await postForm('coord8', eventPath, [['intent', 'publish']])).status).toBe(403);
    expect((await get('anonymous', `/it/eventi/${slug}`)).html).not.toContain('con premi per tutti');
  });

  it('the preview shows the public page with the waiting change, in each language, to the event’s staff only', async () => {
    const id = eventPath.split('/').at(-1);
    for (const [locale, dir] of [
      ['it', 'ltr'],
      ['en', 'ltr'],
      ['es', 'ltr'],
      ['ar', 'rtl'],
      ['zh', 'ltr'],
    ] as const) {
      const preview = await get('coord2', `/${locale}/staff/eventi/${id}/anteprima`);
      expect(preview.status, locale).toBe(200);
      expect(preview.headers.get('cache-control')).toBe('no-store');
      expect(preview.html).toContain('<meta name="robots" content="noindex">');
      expect(preview.html).toMatch(new RegExp(`<html lang="${locale}[^"]*" dir="${dir}"`));
      // Italian is the fallback of a text not written in the language.
      expect(preview.html).toContain('con premi per tutti');
    }
    expect((await get('coord2', `/en/staff/eventi/${id}/anteprima`)).html).toContain('Epiphany bingo');
    // The staff event page links to each language's preview.
    const links = [
      ...(await get('partnerA', eventPath)).html.matchAll(/href="(\/[a-z]{2}\/staff\/eventi\/\d+\/anteprima)"/g),
    ];
    expect(links.map((m) => m[1]!.slice(1, 3))).toEqual([...LOCALES]);
    expect((await get('partnerB', `/it/staff/eventi/${id}/anteprima`)).status).toBe(403);
    expect((await get('coord8', `/ar/staff/eventi/${id}/anteprima`)).status).toBe(403);
    const anonymous = await get('anonymous', `/zh/staff/eventi/${id}/anteprima`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/it\/staff\/accesso\?next=/);
  });

  it('partners see the events their organisation co-organises, read only (the seeded parties)', async () => {
    const oklahoma = await get('partnerB', '/it/staff/eventi');
    expect(oklahoma.status).toBe(200);
    expect(oklahoma.html).toContain('Festa di Natale');
    expect(oklahoma.html).not.toContain('Festa di Natale QuBì');
    const id = /href="\/it\/staff\/eventi\/(\d+)"[^>]*>\s*Festa di Natale\s*</.exec(oklahoma.html)?.[1];
    expect(id).toBeDefined();
    const page = await get('partnerB', `/it/staff/eventi/${id}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('id="save"');
    expect(page.html).not.toContain('name="intent" value="cancel"');
    const refused = await submitForm_('partnerB', `/it/staff/eventi/${id}`, [
      ['intent', 'save'],
      ['title-it', 'Presa'],
    ]);
    expect(refused.status).toBe(403);
    expect((await get('partnerA', '/it/staff/eventi')).html).toContain('Festa di Natale QuBì');
  });

  it('cancelling keeps it public, marked cancelled', async () => {
    // Publishing approves the waiting change: on the public page at once.
    expect((await postForm('admin', eventPath, [['intent', 'publish']])).status).toBe(303);
    expect((await get('anonymous', `/it/eventi/${slug}`)).status).toBe(200);
    expect((await get('anonymous', `/it/eventi/${slug}`)).html).toContain('con premi per tutti');
    const cancelled = await postForm('partnerA', eventPath, [['intent', 'cancel']]);
    expect(cancelled.status).toBe(303);
    const page = await get('anonymous', `/it/eventi/${slug}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/annullat/i);
    expect((await get('anonymous', '/it/eventi')).html).toContain('class="tag cancelled"');
    const staffPage = await get('partnerA', eventPath);
    expect(staffPage.html).not.toContain('name="intent" value="cancel"');
    expect(staffPage.html).not.toContain('id="save"');
    expect(
      (await submitForm_('partnerA', eventPath, withFields(eventForm(staffPage), { 'title-it': 'Di nuovo' }))).status,
    ).toBe(409);
  });

  it('refuses an unknown intent and unknown events', async () => {
    expect((await post('partnerA', eventPath, [['intent', 'explode']])).status).toBe(400);
    expect((await get('admin', '/it/staff/eventi/999999')).status).toBe(404);
    expect((await get('admin', '/it/staff/eventi/abc')).status).toBe(404);
  });
});

describe('the list a page at a time (a city of events)', () => {
  /** The events a page lists (their staff links), in order, and its "newer" / "older" links. */
  const listed = (html: string) => ({
    ids: [...html.matchAll(/<a href="\/it\/staff\/eventi\/(\d+)"/g)].map((m) => Number(m[1])),
    titles: [...html.matchAll(/Paginata (\d\d)/g)].map((m) => Number(m[1])),
    newer: /<a href="([^"]+)" rel="prev"/.exec(html)?.[1]?.replace(/&amp;/g, '&'),
    older: /<a href="([^"]+)" rel="next"/.exec(html)?.[1]?.replace(/&amp;/g, '&'),
  });
  const body = (html: string) => html.split('id="to-review"')[1]!.split('</section>').slice(1).join('</section>');

  /** n titles counting down from `from`. */
  const down = (from: number, n: number) => Array.from({ length: n }, (_, i) => from - i);

  it('25 rows a page, newest first; "older" and "newer" are links that keep the filter, each row once', async () => {
    const first = await get('admin', '/it/staff/eventi?municipio=7');
    expect(first.status).toBe(200);
    const one = listed(body(first.html));
    // The newest 25 (60 down to 36): the one sent for review is shown above, on every page.
    expect(one.titles).toEqual(down(60, 25));
    expect(one.newer).toBeUndefined();
    expect(one.older).toMatch(/^\/it\/staff\/eventi\?municipio=7&dopo=\d+\.\d+$/);
    const second = await get('admin', one.older!);
    expect(second.status).toBe(200);
    const two = listed(body(second.html));
    expect(two.titles).toEqual(down(35, 25));
    expect(two.newer).toMatch(/^\/it\/staff\/eventi\?municipio=7&prima=\d+\.\d+$/);
    expect(two.older).toMatch(/^\/it\/staff\/eventi\?municipio=7&dopo=\d+\.\d+$/);
    const third = await get('admin', two.older!);
    expect(third.status).toBe(200);
    const three = listed(body(third.html));
    expect(three.titles).toEqual(down(10, 10));
    expect(three.older).toBeUndefined();
    expect(three.newer).toMatch(/^\/it\/staff\/eventi\?municipio=7&prima=\d+\.\d+$/);
    expect(new Set([...one.ids, ...two.ids, ...three.ids]).size).toBe(60);
    // What waits for review is on every page, above the rest.
    for (const page of [first, second, third])
      expect(page.html.split('id="to-review"')[1]!.split('</section>')[0]).toContain('Paginata 00');
    // Back to the newer pages: the same rows.
    const again = listed(body((await get('admin', three.newer!)).html));
    expect(again.titles).toEqual(two.titles);
    const top = listed(body((await get('admin', again.newer!)).html));
    expect(top.titles).toEqual(one.titles);
    expect(top.newer).toBeUndefined();
  });

  it('filters by status and municipio (a GET form), kept across pages', async () => {
    const drafts = await get('admin', '/it/staff/eventi?stato=bozza&municipio=7');
    expect(drafts.html).toMatch(/<option value="bozza" selected/);
    expect(drafts.html).toMatch(/<option value="7" selected/);
    const one = listed(body(drafts.html));
    expect(one.titles).toEqual(down(60, 25));
    expect(one.older).toMatch(/^\/it\/staff\/eventi\?stato=bozza&municipio=7&dopo=/);
    const two = await get('admin', one.older!);
    expect(two.status).toBe(200);
    expect(listed(body(two.html)).titles).toEqual(down(35, 25));
    const older = listed(body(two.html)).older;
    expect(older).toMatch(/^\/it\/staff\/eventi\?stato=bozza&municipio=7&dopo=/);
    const three = await get('admin', older!);
    expect(listed(body(three.html)).titles).toEqual([10]);
    expect(listed(body(three.html)).older).toBeUndefined();
    const published = listed(body((await get('admin', '/it/staff/eventi?stato=pubblicato&municipio=7')).html));
    expect(published.titles).toEqual(down(9, 9));
    expect(published.newer).toBeUndefined();
    expect(published.older).toBeUndefined();
  });

  it('a coordinator elsewhere sees none of them; a broken address shows the first page, not an error', async () => {
    const coord2 = await get('coord2', '/it/staff/eventi?municipio=7');
    expect(coord2.status).toBe(200);
    expect(coord2.html).not.toContain('Paginata');
    expect(coord2.html).not.toContain('rel="next"');
    for (const query of ['?dopo=abc&stato=%00', '?prima=99999999999999999999.1', '?municipio=99&dopo=1.0']) {
      const page = await get('admin', `/en/staff/eventi${query}`);
      expect(page.status, query).toBe(200);
      expect(page.html).toContain('rel="next"');
    }
  });
});
