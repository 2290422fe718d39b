// /api/v1/openapi.json against the built server's real answers: every documented operation is
// called (a read of each GET; for each POST an answer it really gives, a booking really made
// among them) and each answer is validated with ajv against the schema the description gives for
// its status. A path added to the description without a call here fails the last check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
type Json = Record<string, any>;
let doc: Json;
const called = new Set<string>();

beforeAll(async () => {
  server = await startServer({ RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000' });
  doc = await (await fetch(`${server.origin}/api/v1/openapi.json`)).json();
});
afterAll(async () => {
  await server?.stop();
});

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** Calls one documented operation and checks the answer against the description; returns the body. */
async function check(
  template: string,
  method: 'get' | 'post',
  params: Record<string, string> = {},
  options: { query?: string; body?: unknown; expect?: number } = {},
): Promise<{ status: number; body: any }> {
  const operation = doc.paths[template]?.[method];
  expect(operation, `${method} ${template} is documented`).toBeTruthy();
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]!));
  const res = await fetch(`${server.origin}${path}${options.query ?? ''}`, {
    method: method.toUpperCase(),
    ...(method === 'post'
      ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(options.body ?? {}) }
      : {}),
  });
  const body = await res.json();
  if (options.expect) expect(res.status, `${method} ${path}`).toBe(options.expect);
  const documented = operation.responses[String(res.status)];
  expect(documented, `${method} ${path} answered ${res.status}, which is not documented`).toBeTruthy();
  const schema = documented.content['application/json'].schema;
  const validate = ajv.compile(schema);
  expect(validate(body), `${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  called.add(`${method} ${template}`);
  return { status: res.status, body };
}

describe('OpenAPI description', () => {
  it('is OpenAPI 3.1 with the licence, and its schemas compile', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.license.url).toBe('https://creativecommons.org/licenses/by/4.0/');
    for (const [path, item] of Object.entries<Json>(doc.paths))
      for (const [method, op] of Object.entries<Json>(item)) {
        for (const response of Object.values<Json>(op.responses))
          if (response.content) ajv.compile(response.content['application/json'].schema);
        if (op.requestBody) ajv.compile(op.requestBody.content['application/json'].schema);
        for (const p of op.parameters) expect(p.schema, `${method} ${path} ${p.name}`).toBeTruthy();
      }
  });

  it('describes every read as it answers', async () => {
    await check('/api/v1/desks', 'get', {}, { expect: 200 });
    await check('/api/v1/desks', 'get', {}, { query: '?municipio=8&locale=ar', expect: 200 });
    await check('/api/v1/desks', 'get', {}, { query: '?municipio=10', expect: 400 });
    const events = await check('/api/v1/events', 'get', {}, { query: '?limit=1', expect: 200 });
    expect(events.body.length).toBe(1);
    await check('/api/v1/events', 'get', {}, { query: '?from=2026-02-30', expect: 400 });
    await check('/api/v1/desks/{slug}/slots', 'get', { slug: 'gallaratese' }, { expect: 200 });
    await check('/api/v1/desks/{slug}/slots', 'get', { slug: 'no-such-desk' }, { expect: 404 });
    await check('/api/v1/campaigns/{slug}', 'get', { slug: 'zaino-sospeso' }, { query: '?locale=zh', expect: 200 });
    await check('/api/v1/campaigns/{slug}', 'get', { slug: 'nothing' }, { expect: 404 });
    for (const kind of ['organizations', 'locations', 'services', 'schedules'])
      await check(`/api/hsds/${kind}`, 'get', {}, { query: '?per_page=2', expect: 200 });
  });

  it('describes every write as it answers, a real booking included', async () => {
    const slots = (await (
      await fetch(`${server.origin}/api/v1/desks/gallaratese/slots?to=${dayAfter(20)}&from=${dayAfter(0)}`)
    ).json()) as { start: string; remaining: number }[];
    const free = slots.find((s) => s.remaining > 0);
    expect(free, 'a free slot in the next three weeks').toBeTruthy();
    const booking = await check(
      '/api/v1/bookings',
      'post',
      {},
      {
        body: {
          desk: 'gallaratese',
          start: free!.start,
          name: 'Amina',
          email: 'amina@example.org',
          locale: 'it',
          privacyAccepted: true,
        },
        expect: 201,
      },
    );
    await check('/api/v1/bookings', 'post', {}, { body: { desk: 'gallaratese' }, expect: 422 });
    await check(
      '/api/v1/bookings/{reference}/confirm',
      'post',
      { reference: booking.body.reference },
      {
        body: { code: '000000' },
      },
    );
    await check(
      '/api/v1/bookings/cancel',
      'post',
      {},
      { body: { reference: booking.body.reference, phone: '333 000 0000' }, expect: 404 },
    );
    await check('/api/v1/pledges', 'post', {}, { body: { campaign: 'zaino-sospeso' }, expect: 422 });
    await check(
      '/api/v1/pledges/{reference}/confirm',
      'post',
      { reference: 'ZS-AAAA-AA' },
      { body: { code: '123456' } },
    );
    const events = (await (await fetch(`${server.origin}/api/v1/events`)).json()) as { slug: string }[];
    await check(
      '/api/v1/events/{slug}/registrations',
      'post',
      { slug: events[0]!.slug },
      { body: { adults: 0 }, expect: 422 },
    );
    await check(
      '/api/v1/events/{slug}/registrations/{reference}/confirm',
      'post',
      { slug: events[0]!.slug, reference: 'QE-AAAA-AA' },
      {
        body: { code: '123456' },
      },
    );
    await check(
      '/api/v1/events/{slug}/waiting-list',
      'post',
      { slug: events[0]!.slug },
      { body: { adults: 0 }, expect: 422 },
    );
    await check(
      '/api/v1/events/{slug}/waiting-list/{reference}/confirm',
      'post',
      { slug: events[0]!.slug, reference: 'QW-AAAA-AA' },
      { body: { code: '123456' } },
    );
    await check('/api/v1/volunteers', 'post', {}, { body: { name: 'Li' }, expect: 422 });
  });

  it('has no operation the checks above left out', () => {
    const documented = Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    );
    expect(documented.filter((op) => !called.has(op))).toEqual([]);
  });
});

function dayAfter(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
}
