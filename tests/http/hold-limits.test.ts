// Issue #12 over HTTP, with the default HOLDS_PER_CLIENT (3) that every other HTTP test raises: one
// client address booking with invented phone numbers holds 3 places, then is refused — by the JSON
// API (429 too_many_holds) and by the booking form (its message, 429) — and IPv6 clients are
// counted by their /64: two addresses of one /64 share the limit, another /64 has its own. The
// server sits behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1) that names the client in
// X-Forwarded-For, as tests/http/behind-proxy.test.ts does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { messages } from '#/lib/i18n.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { decodeEntities as decode } from '../support/html-form.ts';
import { tagAttributes as attrs } from '../support/html-attributes.ts';

let server: RunningServer;
const PUBLIC_ORIGIN = 'https://qubi.test';
beforeAll(async () => {
  server = await startServer({
    TRUSTED_PROXIES: '127.0.0.1',
    // What the proxy serves: the server takes its Host from here, and the form's Origin is this.
    PUBLIC_URL: PUBLIC_ORIGIN,
    FORM_MIN_FILL_SECONDS: '0',
    // Only the hold limit is under test: the hourly write and lookup limits must not answer first.
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000',
    RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '1000',
  });
});
afterAll(async () => {
  await server?.stop();
});

let phones = 0;
const inventedPhone = () => `+39333${String(4200000 + ++phones).slice(-7)}`;

/** Free slots of a desk, from the slots API (the server's clock is real). */
async function freeSlots(desk: string): Promise<string[]> {
  const from = romeDateString(new Date());
  const res = await fetch(`${server.origin}/api/v1/desks/${desk}/slots?from=${from}&to=${addDays(from, 61)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { start: string; remaining: number }[])
    .filter((s) => s.remaining > 0)
    .map((s) => s.start);
}

let slotsLeft: string[] = [];
async function nextSlot(): Promise<string> {
  if (slotsLeft.length === 0) slotsLeft = (await freeSlots('gallaratese')).slice(20);
  const slot = slotsLeft.shift();
  if (!slot) throw new Error('no free slot');
  return slot;
}

/** A booking through the JSON API, from `client` (as the proxy names it), with a new invented phone. */
async function bookApi(client: string): Promise<{ status: number; body: { error?: string; reference?: string } }> {
  const res = await fetch(`${server.origin}/api/v1/bookings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify({
      desk: 'gallaratese',
      start: await nextSlot(),
      name: 'Amina',
      phone: inventedPhone(),
      locale: 'it',
      privacyAccepted: true,
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; reference?: string } };
}

// The booking form as a browser without JavaScript sends it, from one address.
interface Page {
  status: number;
  html: string;
  headers: Headers;
  jar: Jar;
}

async function request(client: string, path: string, jar: Jar, init: RequestInit = {}): Promise<Page> {
  const headers = new Headers(init.headers);
  // What the TLS-terminating proxy adds: the client's address, and that it came over HTTPS.
  headers.set('X-Forwarded-For', client);
  headers.set('X-Forwarded-Proto', 'https');
  if (jar.cookies.size > 0) headers.set('Cookie', jar.header());
  const res = await fetch(server.origin + path, { redirect: 'manual', ...init, headers });
  jar.store(res.headers);
  return { status: res.status, html: await res.text(), headers: res.headers, jar };
}

/** The page's first form with some values set, sent; the flow's 303s followed to the next step. */
async function submit(
  client: string,
  page: Page,
  values: Record<string, string>,
  // The 303s followed: the booking flow's steps, or back to a refused form.
  steps = /\/prenota(\/(dettagli|contatti|riepilogo))?(\?|$)/,
): Promise<Page> {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/.exec(page.html);
  if (!match) throw new Error(`no form (${page.status}):\n${page.html.slice(0, 2000)}`);
  const action = attrs(`<form ${match[1]}`).action!;
  const fields: [string, string][] = [];
  for (const input of match[2]!.matchAll(/<input\b[^>]*>/g)) {
    const a = attrs(input[0]);
    if (!a.name || a.name in values) continue;
    if ((a.type === 'radio' || a.type === 'checkbox') && !('checked' in a)) continue;
    fields.push([a.name, a.value ?? '']);
  }
  fields.push(...Object.entries(values));
  const method = (attrs(`<form ${match[1]}`).method ?? 'get').toLowerCase();
  if (method === 'get')
    return request(client, `${action}${action.includes('?') ? '&' : '?'}${new URLSearchParams(fields)}`, page.jar);
  let at = await request(client, decode(action), page.jar, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: PUBLIC_ORIGIN },
    body: new URLSearchParams(fields).toString(),
  });
  for (let hops = 0; at.status === 303 && hops < 5; hops++) {
    const next = new URL(at.headers.get('location')!, PUBLIC_ORIGIN);
    const location = next.pathname + next.search;
    if (!steps.test(location)) break;
    at = await request(client, location, at.jar);
  }
  return at;
}

/** Choose a slot, give the details and an invented phone, then "Book" on the check answers step. */
async function bookWithForm(client: string): Promise<Page> {
  const jar = new Jar();
  const choose = await request(client, `/it/sportelli/gallaratese/prenota?settimana=${weekOf(await nextSlot())}`, jar);
  expect(choose.status).toBe(200);
  const slot = [...choose.html.matchAll(/<input type="radio" name="slot"[^>]*value="([^"]*)"/g)].map((m) =>
    decode(m[1]!),
  )[0]!;
  const details = await submit(client, choose, { slot });
  expect(details.status, details.html).toBe(200);
  const contacts = await submit(client, details, { topic: 'orientation', note: '' });
  expect(contacts.status, contacts.html).toBe(200);
  const check = await submit(client, contacts, {
    firstName: 'Amina',
    phone: inventedPhone(),
    email: '',
    privacyAccepted: 'yes',
  });
  expect(check.status, check.html).toBe(200);
  return submit(client, check, {});
}

/** The Monday of a slot's week (Rome time), as the choose step's ?settimana= names it. */
function weekOf(slot: string): string {
  const day = new Date(`${romeDateString(new Date(slot))}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

describe('holds per client address over HTTP (default HOLDS_PER_CLIENT)', () => {
  it('one address with invented phone numbers holds 3 places, then the API and the form refuse it', async () => {
    const client = '203.0.113.7';
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await bookApi(client));
    expect(made.map((m) => m.status)).toEqual([201, 201, 201]);
    expect(await bookApi(client)).toEqual({ status: 429, body: { error: 'too_many_holds' } });
    // The booking form from the same address: the check answers step says why, in the family's language.
    const refused = await bookWithForm(client);
    expect(refused.status).toBe(429);
    expect(decode(refused.html)).toContain(messages.it['booking.error.tooManyHolds']!.replace('{{count}}', '3'));
    // Another address books as usual, through the form too.
    const other = await bookWithForm('203.0.113.8');
    expect(other.status, other.html).toBe(303);
    expect(other.headers.get('location')).toMatch(/codice/);
  });

  it('two IPv6 addresses of one /64 share the limit; an address in another /64 does not', async () => {
    const sameNetwork = ['2001:db8:aa:1::10', '2001:db8:aa:1:ffff:ffff:ffff:1', '2001:db8:aa:1::abcd'];
    for (const address of sameNetwork) expect((await bookApi(address)).status).toBe(201);
    expect(await bookApi('2001:db8:aa:1::99')).toEqual({ status: 429, body: { error: 'too_many_holds' } });
    expect(await bookApi('2001:db8:aa:1:0:0:0:10')).toEqual({ status: 429, body: { error: 'too_many_holds' } });
    const nextNetwork = await bookApi('2001:db8:aa:2::10');
    expect(nextNetwork.status).toBe(201);
    expect(nextNetwork.body.reference).toMatch(/^QB-/);
  });

  it("one address's unconfirmed pledges hold at most one pledge's share of an item; another address still pledges", async () => {
    const read = await fetch(`${server.origin}/api/v1/campaigns/zaino-sospeso?locale=it`);
    const c = (await read.json()) as {
      items: { slug: string; target: number; remaining: number }[];
      collectionWindows: { id: number; dropOffPoint: string }[];
    };
    const zaino = c.items.find((i) => i.slug === 'zaino')!;
    const share = Math.floor(zaino.target / 4); // PLEDGE_MAX_SHARE's default, 25 %
    const pledge = async (client: string, quantity: number) => {
      const w = c.collectionWindows[0]!;
      const res = await fetch(`${server.origin}/api/v1/pledges`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
        body: JSON.stringify({
          campaign: 'zaino-sospeso',
          items: [{ item: 'zaino', quantity }],
          dropOffPoint: w.dropOffPoint,
          collectionWindow: w.id,
          name: 'Amina',
          phone: inventedPhone(),
          locale: 'it',
          privacyAccepted: true,
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await pledge('198.51.100.20', share)).status).toBe(201);
    // The same address with other invented phones: not one more of that item while these wait.
    expect(await pledge('198.51.100.20', share)).toEqual({
      status: 429,
      body: { error: 'client_share', maxPerClient: { zaino: share } },
    });
    expect((await pledge('198.51.100.20', 1)).status).toBe(429);
    expect((await pledge('198.51.100.21', share)).status).toBe(201);
    // The pledge form from the first address, in a new browser with another invented phone: the
    // item's field says why, in the donor's language, and nothing is pledged.
    const before = (await (await fetch(`${server.origin}/api/v1/campaigns/zaino-sospeso`)).json()) as typeof c;
    const form = await request('198.51.100.20', '/it/zaino-sospeso/dona', new Jar());
    expect(form.status).toBe(200);
    const window = [...form.html.matchAll(/<input\b[^>]*>/g)]
      .map((m) => attrs(m[0]))
      .find((a) => a.type === 'radio' && a.name === 'window')?.value;
    const refused = await submit(
      '198.51.100.20',
      form,
      { 'qty-zaino': '1', window: window!, name: 'Amina', phone: inventedPhone(), privacyAccepted: 'yes' },
      /\/zaino-sospeso\/dona(\?|$)/,
    );
    expect(refused.status).toBe(429);
    expect(decode(refused.html)).toContain(
      messages.it['pledge.error.clientShare']!.replace('{{item}}', 'Zaino')
        .replace('{{max}}', String(share))
        .replace('{{minutes}}', '30'),
    );
    const after = (await (await fetch(`${server.origin}/api/v1/campaigns/zaino-sospeso`)).json()) as typeof c;
    expect(after.items.find((i) => i.slug === 'zaino')!.remaining).toBe(
      before.items.find((i) => i.slug === 'zaino')!.remaining,
    );
  });
});
