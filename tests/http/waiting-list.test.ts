// The waiting list of an event over plain HTTP (issue #13), as a browser without JavaScript and an
// API client use it, in Arabic: the seeded 22 December party made 2 seats; one family takes them,
// the next is answered 409 naming the waiting list and joins it from the page, proving its phone
// with the 6-digit code (typed in Arabic-Indic digits, after one wrong try); the family's SMS link
// shows its position; the first family's "we can't come" frees the seats, the worker sends
// the offer, and accepting it (a POST) makes a confirmed sign-up. A second acceptance, an unknown
// link and bad input change nothing. The JSON endpoint: 201 pending with where the code went, then
// …/{reference}/confirm with the code (422 wrong, 200 waiting with the position), 409, 422, 404.
import { readFile } from 'node:fs/promises';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { partyHttp, partySlug } from '../support/party-http.ts';
import { fillForm, parseForm } from '../support/html-form.ts';
import { codeSentTo } from '../support/codes.ts';
import ar from '#/locales/ar.json' with { type: 'json' };

let server: RunningServer;
let slug: string;
beforeAll(async () => {
  server = await startServer(
    { FORM_MIN_FILL_SECONDS: '0' },
    {
      prepare: async (db) => {
        await sql`UPDATE event SET seats = 2 WHERE slug LIKE 'festa-di-natale-qubi-casa-dei-giochi%'`.execute(db);
      },
    },
  );
  slug = await partySlug(server.origin);
});
afterAll(async () => {
  await server?.stop();
});

const { request, post, api, seats } = partyHttp(() => ({ origin: server.origin, slug }));
const text = (key: keyof typeof ar) => ar[key].replace(/\{\{\w+\}\}/g, '');
const html = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
/** A code as typed on an Arabic keyboard. */
const arabicDigits = (code: string) => code.replace(/[0-9]/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)]!);

/** The /g/ link in the newest SMS of `kind` the worker wrote to `phone` (waits for it). */
async function smsLink(kind: string, phone: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = [...server.output().matchAll(new RegExp(`\\[sms\\] ${kind} #(\\d+) written to (\\S+\\.txt)`, 'g'))]
      .map((m) => ({ id: Number(m[1]), file: m[2]! }))
      .sort((a, b) => b.id - a.id);
    for (const { file } of files) {
      const raw = await readFile(file, 'utf8');
      if (!raw.includes(phone)) continue;
      const link = /\/g\/([A-Za-z0-9_-]{20,})/.exec(raw)?.[0];
      if (link) return link;
    }
    if (Date.now() > deadline) throw new Error(`no ${kind} SMS to ${phone}`);
    await setTimeout(50);
  }
}

/** Follows a /g/ link as a phone's browser does: the 303 to its page. */
async function open(link: string, jar: Jar) {
  const short = await request(link, jar);
  expect(short.status).toBe(303);
  return { path: short.location!, page: await request(short.location!, jar) };
}

describe('full → waiting list → offer → accept, without JavaScript, in Arabic', () => {
  it('gives the freed seats to the family on the list, once', async () => {
    // The first family takes both seats and confirms them.
    const first = await api('registrations', { adults: 2, name: 'أمينة', phone: '+393331110001', locale: 'ar' });
    expect(first.status).toBe(201);
    const { reference } = (await first.json()) as { reference: string };
    const code = await codeSentTo(server.output, '+393331110001');
    expect((await api(`registrations/${reference}/confirm`, { code })).status).toBe(200);
    expect(await seats()).toEqual({ total: 2, left: 0 });

    // The next family does not fit: the API names the waiting list.
    const full = await api('registrations', {
      adults: 1,
      children: ['3-6'],
      name: 'سارة',
      phone: '+393331110002',
      locale: 'ar',
    });
    expect(full.status).toBe(409);
    expect(await full.json()).toMatchObject({
      error: 'full',
      message: ar['waitlist.api.full'],
      waiting_list: { join: `/api/v1/events/${slug}/waiting-list`, page: `/ar/eventi/${slug}/lista-attesa` },
    });

    // The event page says so and links to the list; the family joins from the form.
    const jar = new Jar();
    const eventPage = await request(`/ar/eventi/${slug}`, jar);
    expect(html(eventPage.html)).toContain(ar['waitlist.full']);
    expect(eventPage.html).toContain(`/ar/eventi/${slug}/lista-attesa`);
    const formPage = await request(`/ar/eventi/${slug}/lista-attesa`, jar);
    expect(formPage.status).toBe(200);
    const form = parseForm(formPage.html, `/ar/eventi/${slug}/lista-attesa`);
    const joined = await post(
      form.action,
      fillForm(form, { adults: '١', children_3_6: '1', name: 'سارة', phone: '333 111 0002', locale: 'ar' }),
      jar,
    );
    expect(joined.status).toBe(303);
    // Not in line yet: the code step, on the list's page, until the code sent to the phone is typed.
    expect(joined.location).toBe(`/ar/eventi/${slug}/lista-attesa?passo=codice`);
    const codePage = await request(joined.location!, jar);
    expect(codePage.status).toBe(200);
    expect(html(codePage.html)).toContain(ar['waitlist.code.title']);
    expect(codePage.html).toContain('autocomplete="one-time-code"');
    const joinCode = await codeSentTo(server.output, '+393331110002');
    const codeForm = parseForm(codePage.html, joined.location!);
    const wrongCode = joinCode === '000000' ? '111111' : '000000';
    const wrong = await post(codeForm.action, fillForm(codeForm, { code: wrongCode }), jar);
    expect(wrong.location).toBe(joined.location);
    const wrongPage = await request(wrong.location!, jar);
    expect(html(wrongPage.html)).toContain(ar['events.code.wrong']);
    const codeForm2 = parseForm(wrongPage.html, joined.location!);
    const confirmed = await post(codeForm2.action, fillForm(codeForm2, { code: arabicDigits(joinCode) }), jar);
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe(`/ar/eventi/${slug}/lista-attesa?esito=iscritti&posizione=1`);
    const joinedPage = await request(confirmed.location!, jar);
    expect(html(joinedPage.html)).toContain(ar['waitlist.joined']);
    expect(html(joinedPage.html)).toContain(text('waitlist.position'));
    // Joining twice from the same contact (a new form, not the same one sent twice): a clear refusal.
    const form2 = parseForm(
      (await request(`/ar/eventi/${slug}/lista-attesa`, jar)).html,
      `/ar/eventi/${slug}/lista-attesa`,
    );
    const again = await post(
      form2.action,
      fillForm(form2, { adults: '2', name: 'سارة', phone: '333 111 0002', locale: 'ar' }),
      jar,
    );
    expect(again.location).toBe(`/ar/eventi/${slug}/lista-attesa`);
    expect(html((await request(again.location!, jar)).html)).toContain(ar['waitlist.refused.already_waiting']);

    // The SMS link shows the family its place.
    const status = await open(await smsLink('waitlist_joined', '+393331110002'), jar);
    expect(status.path).toMatch(/^\/ar\/lista-attesa\?token=/);
    expect(status.page.status).toBe(200);
    expect(status.page.html).toContain('dir="rtl"');
    expect(html(status.page.html)).toContain(text('waitlist.position'));

    // The first family cannot come: its seats are offered to the list.
    const cancel = await open(await smsLink('event_registration_confirmation', '+393331110001'), jar);
    const cancelForm = parseForm(cancel.page.html, cancel.path);
    expect((await post(cancelForm.action, fillForm(cancelForm, {}), jar)).status).toBe(303);
    await smsLink('waitlist_offer', '+393331110002');
    expect(await seats()).toEqual({ total: 2, left: 0 });

    // The offer page: accept is a POST.
    const offer = await request(status.path, jar);
    expect(html(offer.html)).toContain(ar['waitlist.status.accept']);
    const acceptForm = parseForm(offer.html, status.path, 0);
    const accepted = await post(acceptForm.action, fillForm(acceptForm, {}), jar);
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe('/ar/lista-attesa?esito=accettata');
    expect(html((await request(accepted.location!, jar)).html)).toContain(ar['waitlist.status.outcome.accettata']);
    await smsLink('event_registration_confirmation', '+393331110002');

    // The same button again changes nothing; an unknown link is a 404.
    const twice = await post(acceptForm.action, fillForm(acceptForm, {}), jar);
    expect(twice.location).toBe('/ar/lista-attesa?esito=gia-accettata');
    expect(await seats()).toEqual({ total: 2, left: 0 });
    const unknown = await request(`/ar/lista-attesa?token=${'A'.repeat(20)}`, jar);
    expect(unknown.status).toBe(404);
    expect(html(unknown.html)).toContain(ar['waitlist.status.unknown']);
  }, 120_000);
});

describe('POST /api/v1/events/{slug}/waiting-list', () => {
  it('201 pending with where the code went, then confirm; 409 for the same contact; 422 in the asked language; 404', async () => {
    const res = await api('waiting-list', { adults: 2, name: 'Wei', email: 'wei.attesa@example.org', locale: 'zh' });
    expect(res.status).toBe(201);
    const pending = (await res.json()) as { reference: string };
    expect(pending).toMatchObject({
      status: 'pending',
      seats: 2,
      position: null,
      code_sent_to: { channel: 'email', to: 'w•••@example.org' },
    });
    const code = await codeSentTo(server.output, 'wei.attesa@example.org');
    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrong = await api(`waiting-list/${pending.reference}/confirm`, { code: wrongCode });
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({ error: 'wrong_code', triesLeft: 4 });
    const confirmed = await api(`waiting-list/${pending.reference}/confirm`, { code });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({
      reference: pending.reference,
      status: 'waiting',
      seats: 2,
      position: 1,
      code_sent_to: null,
    });
    const unknown = await api('waiting-list/QW-2222-2222/confirm', { code });
    expect(unknown.status).toBe(404);
    const twice = await api('waiting-list', { adults: 1, name: 'Wei', email: 'wei.attesa@example.org', locale: 'zh' });
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ error: 'already_waiting' });
    const bad = await api('waiting-list', { adults: 0, name: 'Wei', email: 'x@example.org', locale: 'es' });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ fields: { adults: 'Indica al menos una persona que viene.' } });
    const none = await fetch(`${server.origin}/api/v1/events/nessuna-festa/waiting-list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ adults: 1, name: 'Wei', email: 'y@example.org', locale: 'it' }),
    });
    expect(none.status).toBe(404);
  });
});
