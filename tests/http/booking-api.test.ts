// The booking API over HTTP against the built server: capacity under 200 concurrent requests,
// idempotent submissions, cache invalidation, translated validation errors, hostile bodies, rate
// limits and cancelling. Slot times come from the slots API itself (the server's clock is real).
// Before the server starts, the Gallaratese desk is given capacity 3 in the server's own database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { messages } from '#/lib/i18n.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';

interface SlotJson {
  start: string;
  end: string;
  capacity: number;
  remaining: number;
}

const RAISED_LIMITS = {
  RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '100000',
  RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '100000',
  RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '100000',
  // Everything here comes from 127.0.0.1: the hold limits are proven in tests/integration/booking-holds.test.ts.
  MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
  HOLDS_PER_CLIENT: '100000',
  BOOKINGS_PER_CONTACT_PER_DESK: '100000',
  BOOKINGS_PER_CONTACT: '100000',
};

let server: RunningServer;
const PAST_REFERENCE = 'QB-PAST-22';

const today = () => romeDateString(new Date());

function post(path: string, body: unknown, init: RequestInit = {}, origin = server.origin) {
  return fetch(origin + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

async function slots(
  desk: string,
  from = today(),
  to = addDays(from, 61),
  origin = server.origin,
): Promise<SlotJson[]> {
  const res = await fetch(`${origin}/api/v1/desks/${desk}/slots?from=${from}&to=${to}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SlotJson[];
}

/** The next free slot of a desk, `skip` free slots further on. */
async function freeSlot(desk: string, skip = 0, origin = server.origin): Promise<SlotJson> {
  const slot = (await slots(desk, today(), addDays(today(), 61), origin)).filter((s) => s.remaining > 0)[skip];
  if (!slot) throw new Error(`no free slot at ${desk}`);
  return slot;
}

let phoneCounter = 0;
const booking = (desk: string, start: string, over: Record<string, unknown> = {}) => ({
  desk,
  start,
  name: 'Amina',
  phone: `+39333${String(1000000 + phoneCounter++).slice(-7)}`,
  locale: 'it',
  privacyAccepted: true,
  ...over,
});

/**
 * Confirms a hold with the code its contact received (read from the .eml the file mailer wrote:
 * the newest one above `seen`, trying a newer one if an earlier hold's message was written late).
 */
async function confirmWithCode(
  reference: string,
  seen: number,
  origin = server.origin,
  output = () => server.output(),
) {
  let after = seen;
  for (let tries = 0; ; tries++) {
    const { id, code } = await nextCodeFromMail(output, after);
    const res = await post(`/api/v1/bookings/${reference}/confirm`, { code }, {}, origin);
    if (res.status !== 422 || tries === 3) return res;
    after = id;
  }
}

const remainingAt = async (desk: string, start: string) =>
  (await slots(desk)).find((s) => s.start === start)?.remaining;

// One server for everything but the rate limits, which get a server of their own.
describe('booking API', () => {
  beforeAll(async () => {
    server = await startServer(RAISED_LIMITS, {
      prepare: async (db) => {
        await db.updateTable('desk').set({ capacity_per_slot: 3 }).where('slug', '=', 'gallaratese').execute();
        // An appointment that was yesterday, still confirmed (no one marked it), for the cancel API.
        const desk = await db
          .selectFrom('desk')
          .select('id')
          .where('slug', '=', 'quarto-oggiaro')
          .executeTakeFirstOrThrow();
        const start = new Date(Date.now() - 86_400_000);
        const end = new Date(start.getTime() + 30 * 60_000);
        const slot = await db
          .insertInto('booking_slot')
          .values({ desk_id: desk.id, starts_at: start, ends_at: end, capacity: 1, booked: 1 })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('booking')
          .values({
            reference: PAST_REFERENCE,
            desk_id: desk.id,
            slot_id: slot.id,
            starts_at: start,
            ends_at: end,
            first_name: 'Amina',
            phone: '+393331234567',
            locale: 'it',
            source: 'api',
          })
          .execute();
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('GET /api/v1/desks/{slug}/slots', () => {
    it('lists a week of slots from today by default, with Rome offsets and what remains', async () => {
      const res = await fetch(`${server.origin}/api/v1/desks/quarto-oggiaro/slots`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      const week = (await res.json()) as SlotJson[];
      // Quarto Oggiaro opens on Tuesdays: a week from today holds one Tuesday (unless it is a holiday or within the notice).
      expect(week.length).toBeLessThanOrEqual(6);
      for (const s of week) {
        expect(s.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+0[12]:00$/);
        expect(s.start.slice(0, 10) >= today() && s.start.slice(0, 10) <= addDays(today(), 6)).toBe(true);
        expect(new Date(s.end).getTime() - new Date(s.start).getTime()).toBe(30 * 60000);
        expect(s).toMatchObject({ capacity: 1, remaining: expect.any(Number) });
      }
      const two = await slots('quarto-oggiaro', today(), addDays(today(), 20));
      expect(two.length).toBeGreaterThanOrEqual(6);
      expect(new Set(two.map((s) => new Date(s.start).getUTCDay()))).toEqual(new Set([2]));
    });

    it('refuses invalid and too long ranges, and unknown desks', async () => {
      const get = (q: string, desk = 'quarto-oggiaro') => fetch(`${server.origin}/api/v1/desks/${desk}/slots${q}`);
      for (const q of [
        '?from=2026-02-30',
        '?from=tomorrow',
        '?to=2026-1-1',
        `?from=${today()}&to=${addDays(today(), -1)}`,
        `?from=${today()}&to=${addDays(today(), 62)}`,
      ]) {
        const res = await get(q);
        expect(res.status, q).toBe(400);
        expect(await res.json()).toMatchObject({ error: 'invalid_range' });
      }
      expect((await get(`?from=${today()}&to=${addDays(today(), 61)}`)).status).toBe(200);
      const unknown = await get('', 'no-such-desk');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'not_found' });
      for (const desk of ['%00', 'QUARTO', '%F0%9F%98%80', 'x'.repeat(300)])
        expect((await get('', desk)).status, desk).toBe(404);
    });
  });

  describe('POST /api/v1/bookings', () => {
    it('books a slot once when 200 people ask for it at the same time', async () => {
      const slot = await freeSlot('quarto-oggiaro');
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          post('/api/v1/bookings', booking('quarto-oggiaro', slot.start, { name: `Person ${i}` })),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(199);
      const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
      const made = bodies[statuses.indexOf(201)]!;
      expect(made).toMatchObject({
        reference: expect.stringMatching(/^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/),
        desk: 'quarto-oggiaro',
        start: slot.start,
        end: slot.end,
        manageUrl: null,
        status: 'pending',
        hold_expires_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        code_sent_to: { channel: 'sms', to: expect.stringMatching(/^\+39 ••• \d{4}$/) },
      });
      const heldFor = new Date(made.hold_expires_at as string).getTime() - Date.now();
      expect(heldFor).toBeGreaterThan(13 * 60000);
      expect(heldFor).toBeLessThanOrEqual(15 * 60000);
      for (const body of bodies.filter((_, i) => statuses[i] === 409)) {
        expect(body.error).toBe('slot_full');
        const alternatives = body.alternatives as SlotJson[];
        expect(alternatives.length).toBeGreaterThan(0);
        for (const a of alternatives) expect(a.remaining).toBeGreaterThan(0);
      }
      expect(await remainingAt('quarto-oggiaro', slot.start)).toBe(0);
    });

    it("sends each code a moment after its booking, not at the worker's next 5-second round", async () => {
      // One after another, each booking made as soon as the previous code arrived: that is just
      // after a round, so a code left for the next round would wait about 5 s.
      for (let k = 0; k < 3; k++) {
        const slot = await freeSlot('gallaratese', 4 + k);
        const seen = lastCodeMailId(server.output());
        const made = await post('/api/v1/bookings', booking('gallaratese', slot.start));
        expect(made.status).toBe(201);
        const asked = Date.now();
        await nextCodeFromMail(() => server.output(), seen);
        expect(Date.now() - asked).toBeLessThan(2_500);
      }
    });

    it('answers the short link of an SMS with a 303 to the manage page in the family language', async () => {
      const slot = await freeSlot('villapizzone', 1);
      const seen = lastCodeMailId(server.output());
      const made = await post('/api/v1/bookings', booking('villapizzone', slot.start, { locale: 'ar' }));
      expect(made.status).toBe(201);
      const { reference } = (await made.json()) as { reference: string };
      // The link comes with the confirmation (the SMS that carries it too).
      const confirmed = await confirmWithCode(reference, seen);
      expect(confirmed.status).toBe(200);
      const { manageUrl } = (await confirmed.json()) as { manageUrl: string };
      const token = new URL(manageUrl).searchParams.get('token')!;
      const res = await fetch(`${server.origin}/g/${token}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/ar/prenotazione/gestisci?token=${token}`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const unknown = await fetch(`${server.origin}/g/${'x'.repeat(20)}`, { redirect: 'manual' });
      expect(unknown.status).toBe(404);
    });

    it('gives exactly 3 places in a slot of capacity 3', async () => {
      const slot = await freeSlot('gallaratese');
      expect(slot.capacity).toBe(3);
      const responses = await Promise.all(
        Array.from({ length: 60 }, () => post('/api/v1/bookings', booking('gallaratese', slot.start))),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(3);
      expect(statuses.filter((s) => s === 409)).toHaveLength(57);
      expect(await remainingAt('gallaratese', slot.start)).toBe(0);
    });

    it('books once for the same submission key sent twice at once', async () => {
      const slot = await freeSlot('villapizzone');
      const body = booking('villapizzone', slot.start, {
        email: 'Amina@Example.org',
        submissionKey: crypto.randomUUID(),
      });
      const seen = lastCodeMailId(server.output());
      const [a, b] = await Promise.all([post('/api/v1/bookings', body), post('/api/v1/bookings', body)]);
      expect([a.status, b.status]).toEqual([201, 201]);
      const [x, y] = (await Promise.all([a.json(), b.json()])) as { reference: string; manageUrl: string | null }[];
      expect(x!.reference).toBe(y!.reference);
      // A hold has no manage link yet: it comes with the confirmation, once.
      expect([x!.manageUrl, y!.manageUrl]).toEqual([null, null]);
      expect(await remainingAt('villapizzone', slot.start)).toBe(0);
      const confirmed = await confirmWithCode(x!.reference, seen);
      expect(confirmed.status).toBe(200);
      const body2 = (await confirmed.json()) as { manageUrl: string; status: string; reference: string };
      expect(body2).toMatchObject({ reference: x!.reference, status: 'confirmed' });
      // With a mobile the token is the short one its SMS carries too.
      expect(body2.manageUrl).toMatch(
        new RegExp(`^${server.origin}/it/prenotazione/gestisci\\?token=[A-Za-z0-9_-]{20}$`),
      );
      // The same key again finds the confirmed booking.
      expect(await (await post('/api/v1/bookings', body)).json()).toMatchObject({
        status: 'confirmed',
        code_sent_to: null,
      });
    });

    it('confirms with the code: 422 with the tries left, 429 after five wrong ones', async () => {
      const slot = await freeSlot('gallaratese', 1);
      const made = await post('/api/v1/bookings', booking('gallaratese', slot.start, { email: 'rania@example.org' }));
      const { reference } = (await made.json()) as { reference: string };
      const confirm = (code: unknown) => post(`/api/v1/bookings/${reference}/confirm`, { code });
      expect((await confirm('12345')).status).toBe(422);
      const unknown = await post('/api/v1/bookings/QB-2222-22/confirm', { code: '123456' });
      expect(unknown.status).toBe(404);
      const answers = [];
      for (let i = 0; i < 5; i++) {
        const res = await confirm('۰۰۰ ۰۰۰');
        answers.push([res.status, await res.json()]);
      }
      expect(answers.slice(0, 4)).toEqual([4, 3, 2, 1].map((n) => [422, { error: 'wrong_code', triesLeft: n }]));
      expect(answers[4]).toEqual([429, { error: 'too_many_tries' }]);
      // Locked: the place stays held until the hold lapses, never confirmed.
      expect((await confirm('111111')).status).toBe(429);
    });

    it('serves slots from the cache until a booking invalidates them', async () => {
      const slot = await freeSlot('villapizzone');
      const url = `${server.origin}/api/v1/desks/villapizzone/slots?from=${slot.start.slice(0, 10)}&to=${slot.start.slice(0, 10)}`;
      const first = await fetch(url);
      await first.arrayBuffer();
      const again = await fetch(url);
      expect(again.headers.get('x-astro-cache')).toBe('HIT');
      const before = ((await again.json()) as SlotJson[]).find((s) => s.start === slot.start)!.remaining;
      expect((await post('/api/v1/bookings', booking('villapizzone', slot.start))).status).toBe(201);
      const after = await fetch(url);
      expect(after.headers.get('x-astro-cache')).not.toBe('HIT');
      expect(((await after.json()) as SlotJson[]).find((s) => s.start === slot.start)!.remaining).toBe(before - 1);
    });

    it('answers a taken or impossible time with 409 and free alternatives', async () => {
      const slot = await freeSlot('villapizzone');
      expect((await post('/api/v1/bookings', booking('villapizzone', slot.start))).status).toBe(201);
      const full = await post('/api/v1/bookings', booking('villapizzone', slot.start));
      expect(full.status).toBe(409);
      expect(await full.json()).toMatchObject({
        error: 'slot_full',
        alternatives: expect.arrayContaining([expect.objectContaining({ remaining: 1 })]),
      });
      const offGrid = await post(
        '/api/v1/bookings',
        booking('villapizzone', slot.start.replace(/:00:00|:30:00/, ':10:00')),
      );
      expect(offGrid.status).toBe(409);
      expect(await offGrid.json()).toMatchObject({
        error: 'slot_unavailable',
        alternatives: expect.arrayContaining([expect.objectContaining({ remaining: 1 })]),
      });
    });

    it('explains invalid fields in the request’s language, Italian when the language is the problem', async () => {
      const slot = await freeSlot('quarto-oggiaro');
      const ar = await post(
        '/api/v1/bookings',
        booking('quarto-oggiaro', slot.start, { name: '  ', phone: '', locale: 'ar', privacyAccepted: false }),
      );
      expect(ar.status).toBe(422);
      expect(await ar.json()).toEqual({
        error: 'invalid',
        fields: {
          name: messages.ar['booking.error.nameRequired'],
          phone: messages.ar['booking.error.contactRequired'],
        },
      });
      expect(messages.ar['booking.error.nameRequired']).toMatch(/[\u0600-\u06FF]/);
      const fr = await post('/api/v1/bookings', booking('quarto-oggiaro', slot.start, { locale: 'fr' }));
      expect(fr.status).toBe(422);
      expect(await fr.json()).toEqual({
        error: 'invalid',
        fields: { locale: messages.it['booking.error.localeInvalid'] },
      });
      const desk = await post('/api/v1/bookings', booking('no-such-desk', slot.start, { locale: 'en' }));
      expect(await desk.json()).toEqual({
        error: 'invalid',
        fields: { desk: messages.en['booking.error.deskInvalid'] },
      });
      const topic = await post(
        '/api/v1/bookings',
        booking('quarto-oggiaro', slot.start, { locale: 'es', topic: 'tax-advice' }),
      );
      expect(topic.status).toBe(422);
      expect(await topic.json()).toEqual({
        error: 'invalid',
        fields: { topic: messages.es['booking.error.topicInvalid'] },
      });
      expect(await remainingAt('quarto-oggiaro', slot.start)).toBe(1);
    });

    it('answers hostile bodies with 4xx, never 5xx', async () => {
      const slot = await freeSlot('quarto-oggiaro');
      const ok = booking('quarto-oggiaro', slot.start);
      const huge = 'x'.repeat(1024 * 1024);
      const cases: [string, RequestInit][] = [
        ['array', { body: JSON.stringify([ok]) }],
        ['null', { body: 'null' }],
        ['number', { body: '42' }],
        ['string', { body: '"booking"' }],
        ['invalid JSON', { body: '{"desk": "quarto-oggiaro",' }],
        ['empty body', { body: '' }],
        ['invalid UTF-8', { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }],
        ['raw NUL in JSON', { body: `{"desk":"quarto-oggiaro\u0000"}` }],
        [
          'nested objects',
          {
            body: JSON.stringify({
              ...ok,
              name: { first: 'A' },
              phone: { $gt: '' },
              desk: ['quarto-oggiaro'],
              start: { at: slot.start },
            }),
          },
        ],
        [
          'numbers for strings',
          {
            body: JSON.stringify({
              ...ok,
              name: 1,
              phone: 3331234567,
              email: 5,
              note: 7,
              topic: 8,
              desk: 9,
              start: Date.now(),
              locale: 1,
              submissionKey: 12,
            }),
          },
        ],
        [
          'escaped NUL bytes',
          {
            body: JSON.stringify({
              ...ok,
              name: 'A\u0000',
              email: 'a\u0000@example.org',
              note: '\u0000',
              topic: '\u0000',
              desk: 'quarto\u0000',
              submissionKey: 'k\u0000',
            }),
          },
        ],
        ['NUL in the email only', { body: JSON.stringify({ ...ok, email: 'amina\u0000@example.org' }) }],
        ['a 1 MB string', { body: JSON.stringify({ ...ok, name: huge }) }],
        [
          'a 1 MB body without Content-Length',
          { body: new Blob([JSON.stringify({ ...ok, note: huge })]).stream(), duplex: 'half' } as RequestInit,
        ],
        [
          'long strings under the cap',
          {
            body: JSON.stringify({
              ...ok,
              name: 'n'.repeat(3000),
              note: 'n'.repeat(3000),
              email: `${'e'.repeat(3000)}@x.org`,
              topic: 't'.repeat(3000),
              submissionKey: 'k'.repeat(100),
            }),
          },
        ],
        ['invalid dates', { body: JSON.stringify({ ...ok, start: '2026-02-30T10:00:00+01:00' }) }],
        ['a time without offset', { body: JSON.stringify({ ...ok, start: slot.start.slice(0, 19) }) }],
        ['a year far away', { body: JSON.stringify({ ...ok, start: '9999-12-31T23:30:00+01:00' }) }],
        ['privacy as a string', { body: JSON.stringify({ ...ok, privacyAccepted: 'true' }) }],
        ['deep nesting', { body: `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}` }],
        [
          'prototype keys',
          { body: `{"__proto__":{"privacyAccepted":true},"constructor":{"prototype":{}},"desk":"quarto-oggiaro"}` },
        ],
        ['wrong content type', { body: JSON.stringify(ok), headers: { 'Content-Type': 'text/plain' } }],
        [
          'form content type',
          {
            body: new URLSearchParams({ desk: 'quarto-oggiaro' }).toString(),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          },
        ],
        ['no content type', { body: new Blob([JSON.stringify(ok)]), headers: {} }],
      ];
      for (const [name, init] of cases) {
        const res = await post('/api/v1/bookings', '', init);
        expect(res.status, name).toBeGreaterThanOrEqual(400);
        expect(res.status, name).toBeLessThan(500);
        await res.arrayBuffer();
      }
      const tooLarge = await post('/api/v1/bookings', { ...ok, name: huge });
      expect(tooLarge.status).toBe(413);
      // text/plain (a "simple" cross-site request) never reaches the endpoint: Astro's origin check refuses it.
      expect(
        (await post('/api/v1/bookings', '', { body: JSON.stringify(ok), headers: { 'Content-Type': 'text/plain' } }))
          .status,
      ).toBe(403);
      expect(
        (
          await post('/api/v1/bookings', '', {
            body: JSON.stringify(ok),
            headers: { 'Content-Type': 'application/xml' },
          })
        ).status,
      ).toBe(415);
      expect((await post('/api/v1/bookings', '[]')).status).toBe(400);
      // None of it booked anything.
      expect(await remainingAt('quarto-oggiaro', slot.start)).toBe(1);
    });

    it('lets Astro refuse cross-site form posts while JSON posts without Origin work', async () => {
      const slot = await freeSlot('quarto-oggiaro');
      const crossSite = await fetch(`${server.origin}/api/v1/bookings`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
        body: 'desk=quarto-oggiaro',
      });
      expect(crossSite.status).toBe(403);
      const json = await post('/api/v1/bookings', booking('quarto-oggiaro', slot.start));
      expect(json.status).toBe(201);
    });
  });

  describe('POST /api/v1/bookings/cancel', () => {
    it('cancels by reference and phone, freeing the place; a wrong phone or reference is not found', async () => {
      const slot = await freeSlot('gallaratese');
      const seen = lastCodeMailId(server.output());
      const made = await post('/api/v1/bookings', booking('gallaratese', slot.start, { phone: '351 681 8198' }));
      expect(made.status).toBe(201);
      expect(
        (await confirmWithCode(((await made.clone().json()) as { reference: string }).reference, seen)).status,
      ).toBe(200);
      const { reference } = (await made.json()) as { reference: string };
      const before = (await remainingAt('gallaratese', slot.start))!;

      const wrongPhone = await post('/api/v1/bookings/cancel', { reference, phone: '+39 333 000 0000' });
      expect(wrongPhone.status).toBe(404);
      const wrongPhoneBody = await wrongPhone.json();
      const unknown = await post('/api/v1/bookings/cancel', { reference: 'QB-2222-22', phone: '351 681 8198' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual(wrongPhoneBody);
      expect(wrongPhoneBody).toEqual({ error: 'not_found' });
      expect((await post('/api/v1/bookings/cancel', { reference: 'garbage\u0000', phone: 'x' })).status).toBe(404);
      expect(await remainingAt('gallaratese', slot.start)).toBe(before);

      // As people type it: lower case, spaces, the number without +39.
      const cancelled = await post('/api/v1/bookings/cancel', {
        reference: reference.toLowerCase().replace(/-/g, ' '),
        phone: '3516818198',
      });
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toEqual({ reference, status: 'cancelled' });
      expect(await remainingAt('gallaratese', slot.start)).toBe(before + 1);
      // Cancelling again is harmless and frees nothing more.
      expect((await post('/api/v1/bookings/cancel', { reference, phone: '3516818198' })).status).toBe(200);
      expect(await remainingAt('gallaratese', slot.start)).toBe(before + 1);
    });

    it('refuses to cancel an appointment that is over (409 past), as the pages do', async () => {
      const res = await post('/api/v1/bookings/cancel', { reference: PAST_REFERENCE, phone: '333 123 4567' });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ error: 'not_cancellable', status: 'past' });
    });

    it('cancels with the token of the manage link', async () => {
      const slot = await freeSlot('gallaratese');
      const seen = lastCodeMailId(server.output());
      const made = await post(
        '/api/v1/bookings',
        booking('gallaratese', slot.start, { email: 'amina@example.org', locale: 'en' }),
      );
      const held = (await made.json()) as { reference: string };
      const { manageUrl, reference } = (await (await confirmWithCode(held.reference, seen)).json()) as {
        manageUrl: string;
        reference: string;
      };
      expect(manageUrl).toContain('/en/prenotazione/gestisci?token=');
      const token = new URL(manageUrl).searchParams.get('token');
      expect((await post('/api/v1/bookings/cancel', { token: `${token}x` })).status).toBe(404);
      const res = await post('/api/v1/bookings/cancel', { token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ reference, status: 'cancelled' });
    });

    it('refuses bodies that are neither form', async () => {
      expect((await post('/api/v1/bookings/cancel', { reference: 'QB-2222-22' })).status).toBe(400);
      expect((await post('/api/v1/bookings/cancel', '[1]')).status).toBe(400);
      expect(
        (
          await post('/api/v1/bookings/cancel', '', {
            body: '<token/>',
            headers: { 'Content-Type': 'application/xml' },
          })
        ).status,
      ).toBe(415);
    });
  });
});

describe('a contact counts once however it is written', () => {
  let perContact: RunningServer;
  beforeAll(async () => {
    // The daily limit per contact is what is tested here: the holds of one contact at one desk and
    // of this one client (never given back for the contact alone) are allowed to pile up meanwhile.
    perContact = await startServer({
      RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '2',
      BOOKINGS_PER_CONTACT_PER_DESK: '10',
      HOLDS_PER_CLIENT: '10',
    });
  });
  afterAll(async () => {
    await perContact?.stop();
  });

  const book = async (over: Record<string, unknown>) => {
    const slot = await freeSlot('quarto-oggiaro', 0, perContact.origin);
    return post('/api/v1/bookings', booking('quarto-oggiaro', slot.start, over), {}, perContact.origin);
  };

  it('three spellings of one phone are one contact: the third booking of the day is refused (429)', async () => {
    expect((await book({ phone: '+39 333 765 4321' })).status).toBe(201);
    expect((await book({ phone: '333 7654321' })).status).toBe(201);
    const third = await book({ phone: '0039 333-765-4321' });
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: 'rate_limited' });
    expect((await book({ phone: '٣٣٣٧٦٥٤٣٢١' })).status).toBe(429);
    // Another number is another contact.
    expect((await book({ phone: '333 765 4322' })).status).toBe(201);
  });

  it('an address with a +tag or in capitals is the same contact, and every contact given counts', async () => {
    expect((await book({ phone: undefined, email: 'nadia@example.org' })).status).toBe(201);
    expect((await book({ phone: undefined, email: 'Nadia+2@Example.org' })).status).toBe(201);
    // A new phone does not make the used address new again.
    expect((await book({ phone: '347 000 1111', email: 'nadia+3@example.org' })).status).toBe(429);
  });

  it('refuses a number that cannot exist with the usual message', async () => {
    const res = await book({ phone: '300 000 1111' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: 'invalid',
      fields: { phone: messages.it['booking.error.phoneInvalid'] },
    });
  });
});

describe('rate limits', () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await startServer({ RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '3', RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('answers 429 with Retry-After once an address has made too many bookings', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const slot = await freeSlot('quarto-oggiaro', 0, limited.origin);
      statuses.push((await post('/api/v1/bookings', booking('quarto-oggiaro', slot.start), {}, limited.origin)).status);
    }
    expect(statuses).toEqual([201, 201, 201]);
    const slot = await freeSlot('quarto-oggiaro', 0, limited.origin);
    const refused = await post('/api/v1/bookings', booking('quarto-oggiaro', slot.start), {}, limited.origin);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited', retryAfter });
    expect((await freeSlot('quarto-oggiaro', 0, limited.origin)).start).toBe(slot.start);
  });

  it('answers 429 once an address has looked up too many bookings', async () => {
    const guess = (n: number) =>
      post('/api/v1/bookings/cancel', { reference: `QB-2222-2${n}`, phone: '3516818198' }, {}, limited.origin);
    expect((await guess(2)).status).toBe(404);
    expect((await guess(3)).status).toBe(404);
    const refused = await guess(4);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
