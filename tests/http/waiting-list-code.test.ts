// The waiting list's code step over plain HTTP, as a browser without JavaScript uses it (issue #13):
// Back from the code step and "join" again (the page came back with a new submission key) lead to
// the same code step, on an event's list and a desk's, while another browser with that contact is
// told "already waiting"; the language switcher keeps the code step. A family can have an event's
// sign-up code step and a waiting list's code step open at once (each its own draft). Codes tried
// for joins have a lookup limit of their own: a sign-up's confirms do not use it up, and past it the
// list's page answers 429 saying when to try again (in Tagalog here) and the API 429 rate_limited.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { partyHttp, partySlug } from '../support/party-http.ts';
import { fillForm, parseForm } from '../support/html-form.ts';
import { codeSentTo } from '../support/codes.ts';
import { romeDateString } from '#/lib/time.ts';
import es from '#/locales/es.json' with { type: 'json' };
import ar from '#/locales/ar.json' with { type: 'json' };
import uk from '#/locales/uk.json' with { type: 'json' };
import bn from '#/locales/bn.json' with { type: 'json' };
import it_ from '#/locales/it.json' with { type: 'json' };
import tl from '#/locales/tl.json' with { type: 'json' };

const LOOKUP_LIMIT = 6;
let server: RunningServer;
let slug: string;
let desk: string;
beforeAll(async () => {
  server = await startServer({
    FORM_MIN_FILL_SECONDS: '0',
    RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: String(LOOKUP_LIMIT),
    WAITLIST_PER_CLIENT: '20',
  });
  slug = await partySlug(server.origin);
  const desks = (await (await fetch(`${server.origin}/api/v1/desks`)).json()) as { slug: string }[];
  desk = desks[0]!.slug;
});
afterAll(async () => {
  await server?.stop();
});

const { request, post, api } = partyHttp(() => ({ origin: server.origin, slug }), { decodeHtml: true });

/** GETs a form page and sends its first form with `values` (a fresh submission key each time). */
async function sendForm(path: string, values: Record<string, string>, jar: Jar) {
  const page = await request(path, jar);
  expect(page.status).toBe(200);
  const form = parseForm(page.html, path);
  return post(form.action, fillForm(form, values), jar);
}

/** The language switcher's link to `locale` on a page. */
function switcherLink(html: string, locale: string): string {
  const link = new RegExp(
    `<a[^>]*href="([^"]+)"[^>]*hreflang="${locale}"|<a[^>]*hreflang="${locale}"[^>]*href="([^"]+)"`,
  ).exec(html);
  expect(link, `a link to ${locale}`).not.toBeNull();
  return link![1] ?? link![2]!;
}

/** How many code messages the server has written to `recipient` (an SMS to a phone, an email). */
async function codesWrittenTo(recipient: string): Promise<number> {
  const files = [...server.output().matchAll(/\[(?:mail|sms)\] verification_code #\d+ written to (\S+)/g)].map(
    (m) => m[1]!,
  );
  let n = 0;
  for (const file of files) if ((await readFile(file, 'utf8')).includes(recipient)) n++;
  return n;
}

const inDays = (days: number) => romeDateString(new Date(Date.now() + days * 86_400_000));

describe("Back and the language switcher on the waiting list's code step", () => {
  it("an event's list: Back and join again → the same code step; another browser → already waiting", async () => {
    const jar = new Jar();
    const list = `/es/eventi/${slug}/lista-attesa`;
    const answers = { adults: '2', children_3_6: '1', name: 'Lucía', phone: '333 222 0001', locale: 'es' };
    const joined = await sendForm(list, answers, jar);
    expect(joined.status).toBe(303);
    expect(joined.location).toBe(`${list}?passo=codice`);
    const codePage = await request(joined.location!, jar);
    expect(codePage.status).toBe(200);
    expect(codePage.html).toContain(es['waitlist.code.title']);
    expect(codePage.html).toContain('••• 0001');

    // The language switcher keeps the code step: the same entry, in Arabic.
    const arabic = switcherLink(codePage.html, 'ar');
    expect(arabic).toBe(`/ar/eventi/${slug}/lista-attesa?passo=codice`);
    const inArabic = await request(arabic, jar);
    expect(inArabic.status).toBe(200);
    expect(inArabic.html).toContain(ar['waitlist.code.title']);
    expect(inArabic.html).toContain('••• 0001');
    expect(inArabic.html).toContain('dir="rtl"');

    // Back to the form and "join" again with the same answers: the same code step, no second code.
    const again = await sendForm(list, answers, jar);
    expect(again.status).toBe(303);
    expect(again.location).toBe(`${list}?passo=codice`);
    const shown = await request(again.location!, jar);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain(es['waitlist.code.title']);
    expect(shown.html).not.toContain(es['waitlist.refused.already_waiting']);

    // Another browser with the same contact is still told that it is on the list; so is this
    // browser with another party (a different family, not the join it is confirming).
    const other = new Jar();
    const refused = await sendForm(list, answers, other);
    expect(refused.location).toBe(list);
    const refusedPage = await request(refused.location!, other);
    expect(refusedPage.status).toBe(409);
    expect(refusedPage.html).toContain(es['waitlist.refused.already_waiting']);
    const bigger = await sendForm(list, { ...answers, adults: '3' }, jar);
    expect(bigger.location).toBe(list);
    expect((await request(bigger.location!, jar)).html).toContain(es['waitlist.refused.already_waiting']);

    // The code that came with the first join puts the family in line: one entry, one code.
    const code = await codeSentTo(server.output, '+393332220001');
    const codeForm = parseForm((await request(`${list}?passo=codice`, jar)).html, `${list}?passo=codice`);
    const confirmed = await post(codeForm.action, fillForm(codeForm, { code }), jar);
    expect(confirmed.location).toBe(`${list}?esito=iscritti&posizione=1`);
    expect(await codesWrittenTo('+393332220001')).toBe(1);
  }, 60_000);

  it("a desk's list: Back and join again → the same code step, in Ukrainian then in Bengali", async () => {
    const jar = new Jar();
    const list = `/uk/sportelli/${desk}/avvisami`;
    const answers = {
      fromDay: inDays(1),
      toDay: inDays(5),
      name: 'Олена',
      email: 'olena.back@example.org',
      locale: 'uk',
    };
    const joined = await sendForm(list, answers, jar);
    expect(joined.location).toBe(`${list}?passo=codice`);
    expect((await request(joined.location!, jar)).html).toContain(uk['waitlist.code.title']);
    const again = await sendForm(list, answers, jar);
    expect(again.location).toBe(`${list}?passo=codice`);
    const shown = await request(again.location!, jar);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain(uk['waitlist.code.title']);
    expect(shown.html).toContain('o•••@example.org');
    const bengali = switcherLink(shown.html, 'bn');
    expect(bengali).toBe(`/bn/sportelli/${desk}/avvisami?passo=codice`);
    const inBengali = await request(bengali, jar);
    expect(inBengali.status).toBe(200);
    expect(inBengali.html).toContain(bn['waitlist.code.title']);
    // Other days are another wish: refused as before, not this code step.
    const otherDays = await sendForm(list, { ...answers, toDay: inDays(6) }, jar);
    expect(otherDays.location).toBe(list);
    const refused = (await request(otherDays.location!, jar)).html;
    expect(refused).toContain(uk['waitlist.refused.desk_already_waiting']);
    expect(refused).not.toContain(uk['waitlist.refused.already_waiting']);
  }, 60_000);
});

describe('a sign-up and a waiting list confirmed in one browser at once', () => {
  it('each keeps its own code step and its code confirms it', async () => {
    const jar = new Jar();
    const signUp = await sendForm(
      `/it/eventi/${slug}/iscrizione`,
      { adults: '1', name: 'Giulia', phone: '333 222 0003', locale: 'it' },
      jar,
    );
    expect(signUp.location).toBe(`/it/eventi/${slug}/codice`);
    const list = `/it/sportelli/${desk}/avvisami`;
    const joined = await sendForm(
      list,
      { fromDay: inDays(2), toDay: inDays(3), name: 'Giulia', phone: '333 222 0004', locale: 'it' },
      jar,
    );
    expect(joined.location).toBe(`${list}?passo=codice`);

    // The sign-up's code step is still there, for its own phone, beside the list's.
    const signUpStep = await request(`/it/eventi/${slug}/codice`, jar);
    expect(signUpStep.status).toBe(200);
    expect(signUpStep.html).toContain('••• 0003');
    const listStep = await request(`${list}?passo=codice`, jar);
    expect(listStep.status).toBe(200);
    expect(listStep.html).toContain(it_['waitlist.code.title']);
    expect(listStep.html).toContain('••• 0004');

    const listForm = parseForm(listStep.html, `${list}?passo=codice`);
    const inLine = await post(
      listForm.action,
      fillForm(listForm, { code: await codeSentTo(server.output, '+393332220004') }),
      jar,
    );
    expect(inLine.location).toBe(`${list}?esito=iscritti&posizione=1`);
    const signUpForm = parseForm(signUpStep.html, `/it/eventi/${slug}/codice`);
    const signedUp = await post(
      signUpForm.action,
      fillForm(signUpForm, { code: await codeSentTo(server.output, '+393332220003') }),
      jar,
    );
    expect(signedUp.location).toBe(`/it/eventi/${slug}/iscritti`);
  }, 60_000);
});

describe("the join's code has a lookup limit of its own", () => {
  it("a sign-up's confirms do not use it up; past it, 429 on the page (in Tagalog) and from the API", async () => {
    // A sign-up's confirms reach their limit…
    let status = 0;
    for (let i = 0; i <= LOOKUP_LIMIT && status !== 429; i++)
      status = (await api('registrations/QE-2222-2222/confirm', { code: '123456' })).status;
    expect(status).toBe(429);
    // …and a join's code still confirms it.
    const res = await api('waiting-list', { adults: 1, name: 'Wei', email: 'wei.limit@example.org', locale: 'zh' });
    expect(res.status).toBe(201);
    const { reference } = (await res.json()) as { reference: string };
    const code = await codeSentTo(server.output, 'wei.limit@example.org');
    const confirmed = await api(`waiting-list/${reference}/confirm`, { code });
    expect(confirmed.status).toBe(200);
    // In line (or offered the seats already free at once): no longer waiting for its code.
    expect(['waiting', 'offered']).toContain(((await confirmed.json()) as { status: string }).status);

    // A family joins from the page; then this address tries codes until the join's own limit.
    const jar = new Jar();
    const list = `/tl/eventi/${slug}/lista-attesa`;
    const joined = await sendForm(list, { adults: '1', name: 'Maria', phone: '333 222 0005', locale: 'tl' }, jar);
    expect(joined.location).toBe(`${list}?passo=codice`);
    const codePage = await request(joined.location!, jar);
    let limited: Response | undefined;
    for (let i = 0; i <= LOOKUP_LIMIT && !limited; i++) {
      const tried = await api('waiting-list/QW-2222-2222/confirm', { code: '123456' });
      if (tried.status === 429) limited = tried;
      else expect(tried.status).toBe(404);
    }
    expect(limited).toBeDefined();
    expect(limited!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await limited!.json()).toMatchObject({ error: 'rate_limited' });

    // The right code on the page now waits: 429, saying so in Tagalog; the entry is still pending.
    const form = parseForm(codePage.html, joined.location!);
    const tried = await post(
      form.action,
      fillForm(form, { code: await codeSentTo(server.output, '+393332220005') }),
      jar,
    );
    expect(tried.location).toBe(`${list}?passo=codice`);
    const page = await request(tried.location!, jar);
    expect(page.status).toBe(429);
    expect(page.html).toContain(tl['booking.limit.title']);
    expect(page.html).toContain(tl['waitlist.code.title']);
  }, 60_000);
});
