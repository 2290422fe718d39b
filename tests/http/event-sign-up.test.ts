// Signing a family up for the seeded 22 December party (120 sample seats) over plain HTTP, as a
// browser without JavaScript does, in Arabic: the event page shows the seats left and links to the
// party form; POST → 303 → the code step; the code from the SMS written by the worker → 303 → the
// confirmation; the seats left go down by the party. Bad input (a party of 0, 40 children) gets a
// clear message in Arabic and changes nothing. The JSON API: seats in GET /api/v1/events, 201
// pending, confirm, 422. (Waiting lists come with the next part of issue #13.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { partyHttp, partySlug } from '../support/party-http.ts';
import { fillForm, parseForm } from '../support/html-form.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import ar from '#/locales/ar.json' with { type: 'json' };

let server: RunningServer;
let slug: string;
beforeAll(async () => {
  server = await startServer({ FORM_MIN_FILL_SECONDS: '0' });
  slug = await partySlug(server.origin);
});
afterAll(async () => {
  await server?.stop();
});

const { request, post, seats } = partyHttp(() => ({ origin: server.origin, slug }));
const text = (key: keyof typeof ar) => ar[key].replace(/\{\{\w+\}\}/g, '');

describe('sign-up without JavaScript, in Arabic', () => {
  it('party form → code by SMS → confirmed; the seats left go down by the party', async () => {
    const jar = new Jar();
    expect(await seats()).toEqual({ total: 120, left: 120 });
    const page = await request(`/ar/eventi/${slug}`, jar);
    expect(page.status).toBe(200);
    expect(page.html).toContain(text('events.seats.left'));
    expect(page.html).toContain(`/ar/eventi/${slug}/iscrizione`);

    const formPage = await request(`/ar/eventi/${slug}/iscrizione`, jar);
    expect(formPage.status).toBe(200);
    const form = parseForm(formPage.html, `/ar/eventi/${slug}/iscrizione`);
    const before = lastCodeMailId(server.output());
    const sent = await post(
      form.action,
      fillForm(form, {
        adults: '٢',
        children_0_3: '1',
        children_6_11: '',
        name: 'أمينة',
        phone: '333 123 4567',
        locale: 'ar',
      }),
      jar,
    );
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/ar/eventi/${slug}/codice`);
    // Pending seats count as taken.
    expect(await seats()).toEqual({ total: 120, left: 117 });

    const codePage = await request(sent.location!, jar);
    expect(codePage.status).toBe(200);
    expect(codePage.html).toContain('autocomplete="one-time-code"');
    expect(codePage.html).toContain('••• 4567');
    const { code } = await nextCodeFromMail(server.output, before);
    const codeForm = parseForm(codePage.html, sent.location!);
    // A wrong code: the same box as the booking's code step, its hint and the error tied to it.
    const wrong = `${(Number(code[0]) + 1) % 10}${code.slice(1)}`;
    const refused = await post(codeForm.action, fillForm(codeForm, { code: wrong }), jar);
    expect(refused.location).toBe(sent.location);
    const again = await request(refused.location!, jar);
    expect(again.html).toContain(ar['booking.code.hint']);
    expect(again.html).toMatch(
      /<input[^>]*id="code"[^>]*inputmode="numeric"[^>]*aria-describedby="code-hint code-error" aria-invalid="true"/,
    );
    expect(again.html).toContain('<a href="#code">');
    const confirmed = await post(codeForm.action, fillForm(codeForm, { code }), jar);
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe(`/ar/eventi/${slug}/iscritti`);
    const done = await request(confirmed.location!, jar);
    expect(done.status).toBe(200);
    expect(done.html).toMatch(/QE-[A-Z0-9]{4}-[A-Z0-9]{2}/);
    expect(await seats()).toEqual({ total: 120, left: 117 });
  });

  it('a party of 0 and 40 children are refused with a message in Arabic, nothing taken', async () => {
    const jar = new Jar();
    const before = await seats();
    for (const [values, key] of [
      [{ adults: '0' }, 'events.register.error.partyEmpty'],
      [{ adults: '1', children_3_6: '40' }, 'events.register.error.partyTooLarge'],
    ] as const) {
      const formPage = await request(`/ar/eventi/${slug}/iscrizione`, jar);
      const form = parseForm(formPage.html, `/ar/eventi/${slug}/iscrizione`);
      const sent = await post(
        form.action,
        fillForm(form, { ...values, name: 'سارة', phone: '333 765 4321', locale: 'ar' }),
        jar,
      );
      expect(sent.status).toBe(303);
      expect(sent.location).toBe(`/ar/eventi/${slug}/iscrizione`);
      const shown = await request(sent.location!, jar);
      expect(shown.status).toBe(422);
      expect(shown.html).toContain(ar[key]);
      // The answers are kept.
      expect(shown.html).toContain('value="سارة"');
    }
    expect(await seats()).toEqual(before);
  });
});

describe('the JSON API', () => {
  it('201 pending → confirm; 422 for bad input with the message in the asked language', async () => {
    const before = lastCodeMailId(server.output());
    const res = await fetch(`${server.origin}/api/v1/events/${slug}/registrations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        adults: 1,
        children: ['3-6', '11-14'],
        name: 'Wei',
        email: 'wei@example.org',
        locale: 'zh',
      }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { reference: string; status: string; seats: number; code_sent_to: unknown };
    expect(body).toMatchObject({
      status: 'pending',
      seats: 3,
      code_sent_to: { channel: 'email', to: 'w•••@example.org' },
    });
    const { code } = await nextCodeFromMail(server.output, before);
    const ok = await fetch(`${server.origin}/api/v1/events/${slug}/registrations/${body.reference}/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'confirmed', reference: body.reference });

    const left = await seats();
    const bad = await fetch(`${server.origin}/api/v1/events/${slug}/registrations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ adults: 0, children: [], name: 'Wei', email: 'wei2@example.org', locale: 'es' }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ fields: { adults: 'Indica al menos una persona que viene.' } });
    expect(await seats()).toEqual(left);
  });
});
