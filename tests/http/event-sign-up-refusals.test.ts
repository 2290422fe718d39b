// What a family is told over plain HTTP when a sign-up cannot be taken (issue #13), in Arabic for
// the pages and in the asked language for the JSON API: the seeded 22 December party made 1 seat,
// so a party of 2 is answered with the waiting list's notice; another seeded event, cancelled with
// seats, refuses the form and POST /api/v1/events/{slug}/registrations as cancelled (409) and takes
// no seat; GET /api/v1/events gives `seats: null` for an event without seats and {total, left}
// for one with seats; and a waiting-list link whose offer ran out says the offer expired, whether
// the worker's round has lapsed it yet or not, with no button to accept it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type RunningServer } from '../support/server.ts';
import { Jar } from '../support/cookie-jar.ts';
import { partyHttp, partySlug } from '../support/party-http.ts';
import { fillForm, parseForm } from '../support/html-form.ts';
import { hashToken } from '#/features/booking/reference.ts';
import ar from '#/locales/ar.json' with { type: 'json' };
import en from '#/locales/en.json' with { type: 'json' };

let server: RunningServer;
let slug: string;
let cancelled: string;
/** Status-link tokens: an offer the round already lapsed, and one past its deadline not lapsed yet. */
const LAPSED = 'lapsedOfferToken0001';
const PAST_DEADLINE = 'pastDeadlineToken001';

beforeAll(async () => {
  server = await startServer(
    { FORM_MIN_FILL_SECONDS: '0' },
    {
      prepare: async (db) => {
        await sql`UPDATE event SET seats = 1 WHERE slug LIKE 'festa-di-natale-qubi-casa-dei-giochi%'`.execute(db);
        // Another coming event without seats becomes a cancelled one with 10 seats, one held by an offer.
        const { rows } = await sql<{ id: number; slug: string }>`
          UPDATE event SET status = 'cancelled', seats = 10, seats_taken = 1
           WHERE id = (SELECT id FROM event WHERE status = 'published' AND seats IS NULL AND series_id IS NULL
                         AND starts_at > now() + interval '2 days' ORDER BY starts_at, id LIMIT 1)
          RETURNING id, slug`.execute(db);
        cancelled = rows[0]!.slug;
        const hour = 3_600_000;
        const entry = (token: string, status: 'lapsed' | 'offered', expired: Date) => ({
          reference: `QW-${token.slice(0, 4).toUpperCase()}-00`,
          event_id: rows[0]!.id,
          adults: 1,
          seats: 1,
          locale: 'ar',
          status,
          offered_at: new Date(expired.getTime() - 12 * hour),
          offer_expires_at: expired,
          token_hash: hashToken(token),
          closed_at: status === 'lapsed' ? expired : null,
        });
        await db
          .insertInto('wait_entry')
          .values([
            entry(LAPSED, 'lapsed', new Date(Date.now() - 2 * hour)),
            entry(PAST_DEADLINE, 'offered', new Date(Date.now() - 60_000)),
          ])
          .execute();
      },
    },
  );
  slug = await partySlug(server.origin);
});
afterAll(async () => {
  await server?.stop();
});

const { request, post, seats } = partyHttp(() => ({ origin: server.origin, slug }));
const text = (key: keyof typeof ar) => ar[key].replace(/\{\{\w+\}\}/g, '');
const registrations = (eventSlug: string, body: unknown) =>
  fetch(`${server.origin}/api/v1/events/${eventSlug}/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('a full event', () => {
  it('the form answers a party that does not fit with the waiting list’s notice; no seat taken', async () => {
    const jar = new Jar();
    expect(await seats()).toEqual({ total: 1, left: 1 });
    const formPage = await request(`/ar/eventi/${slug}/iscrizione`, jar);
    const form = parseForm(formPage.html, `/ar/eventi/${slug}/iscrizione`);
    const sent = await post(
      form.action,
      fillForm(form, { adults: '2', name: 'أمينة', phone: '333 765 4321', locale: 'ar' }),
      jar,
    );
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/ar/eventi/${slug}/iscrizione`);
    const back = await request(sent.location!, jar);
    expect(back.status).toBe(409);
    // The notice heads the error summary, tied to the first field.
    expect(back.html).toContain(`<a href="#adults">${ar['waitlist.signUpFull']}</a>`);
    expect(back.html).toContain(`/ar/eventi/${slug}/lista-attesa`);
    expect(await seats()).toEqual({ total: 1, left: 1 });
  });
});

describe('a cancelled event', () => {
  it('the form is refused as cancelled, not as "takes no sign-ups", and nothing is taken', async () => {
    const jar = new Jar();
    const page = await request(`/ar/eventi/${cancelled}/iscrizione`, jar);
    expect(page.status).toBe(200);
    expect(page.html).toContain(ar['events.register.refused.cancelled']);
    expect(page.html).not.toContain(ar['events.register.closed']);
    // A form opened before the cancellation, sent after it.
    const partyForm = parseForm(
      (await request(`/ar/eventi/${slug}/iscrizione`, jar)).html,
      `/ar/eventi/${slug}/iscrizione`,
    );
    const action = partyForm.action.replace(`/eventi/${slug}/`, `/eventi/${cancelled}/`);
    const sent = await post(
      action,
      fillForm(partyForm, { adults: '1', name: 'أمينة', phone: '333 765 4322', locale: 'ar' }),
      jar,
    );
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/ar/eventi/${cancelled}/iscrizione`);
    const back = await request(sent.location!, jar);
    expect(back.status).toBe(409);
    expect(back.html).toContain(`<a href="#adults">${ar['events.register.refused.cancelled']}</a>`);
    expect(back.html).not.toContain(ar['events.register.refused.not_open']);
  });

  it('POST /api/v1/events/{slug}/registrations answers 409 cancelled in the asked language; nothing written', async () => {
    const res = await registrations(cancelled, { adults: 1, name: 'Wei', phone: '333 765 4323', locale: 'en' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'cancelled', message: en['events.register.refused.cancelled'] });
    // The same party again is refused the same way: no hold of the first one was kept.
    const again = await registrations(cancelled, { adults: 1, name: 'Wei', phone: '333 765 4323', locale: 'en' });
    expect(((await again.json()) as { error: string }).error).toBe('cancelled');
  });
});

describe('GET /api/v1/events', () => {
  it('gives seats: null for an event without seats and {total, left} for one with seats', async () => {
    const events = (await (await fetch(`${server.origin}/api/v1/events`)).json()) as {
      slug: string;
      seats: unknown;
    }[];
    expect(events.find((e) => e.slug === slug)?.seats).toEqual({ total: 1, left: 1 });
    const without = events.filter((e) => e.seats === null);
    expect(without.length).toBeGreaterThan(0);
    expect(without.every((e) => 'seats' in e)).toBe(true);
  });
});

describe('an offer that ran out', () => {
  it('the status link says the offer expired, lapsed by the round or only past its deadline, with no accept button', async () => {
    for (const token of [LAPSED, PAST_DEADLINE]) {
      const page = await request(`/ar/lista-attesa?token=${token}`, new Jar());
      expect(page.status, token).toBe(200);
      expect(page.html, token).toContain(ar['waitlist.status.outcome.scaduta']);
      expect(page.html, token).not.toContain(text('waitlist.status.accept'));
      expect(page.html, token).not.toContain(ar['waitlist.status.closed']);
    }
  });
});
