// The door list of an event over plain HTTP (issue #13, "At the door"): the coordinator of the
// event's municipio sees its parties by reference with their seats and language, marks one arrived
// and counts a walk-in without JavaScript; a coordinator of another municipio gets 403 for the page
// and for each form, and nothing changes. After an event (a known data set): people who came, seats
// not used and the waiting list it could not seat, as numbers only; a partner editor of the owning
// organisation works its door list, a partner of another organisation gets 403 and changes nothing;
// printed, the buttons become boxes to tick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { parseForm } from '../support/html-form.ts';
import type { RegistrationStatus, WaitStatus } from '#/server/db/database.ts';

let server: RunningServer;
let eventId = 0;
let pastEventId = 0;
const tokens: Record<'coord2' | 'coord8' | 'partnerOwn' | 'partnerOther', string> = {
  coord2: '',
  coord8: '',
  partnerOwn: '',
  partnerOther: '',
};

beforeAll(async () => {
  server = await startServer(
    {},
    {
      async prepare(db) {
        for (const [who, municipio] of [
          ['coord2', 2],
          ['coord8', 8],
        ] as const) {
          const id = await createUser(db, {
            email: `${who}@comune.example`,
            displayName: who,
            role: 'coordinator',
            municipi: [municipio],
          });
          tokens[who] = generateSessionToken();
          await createSession(db, tokens[who], id, { twoFactorVerified: true });
        }
        // The seeded 22 December party (municipio 2, 120 sample seats) with one confirmed family.
        const event = await db
          .selectFrom('event')
          .select('id')
          .where('slug', 'like', 'festa-di-natale-qubi-casa-dei-giochi-%')
          .executeTakeFirstOrThrow();
        eventId = event.id;
        await db
          .insertInto('event_registration')
          .values({
            reference: 'QE-DOOR-01',
            event_id: event.id,
            adults: 2,
            children_0_3: 1,
            children_6_11: 2,
            seats: 5,
            name: 'Famiglia',
            phone: '+393331112222',
            email: null,
            locale: 'ar',
            status: 'confirmed',
          })
          .execute();
        await db.updateTable('event').set({ seats_taken: 5 }).where('id', '=', event.id).execute();

        // An event of yesterday owned by one organisation, with a known door list and waiting list.
        const [own, other] = await db.selectFrom('organisation').select('id').orderBy('id').limit(2).execute();
        for (const [who, organisationId] of [
          ['partnerOwn', own!.id],
          ['partnerOther', other!.id],
        ] as const) {
          const id = await createUser(db, {
            email: `${who}@partner.example`,
            displayName: who,
            role: 'partner_editor',
            organisationId,
          });
          tokens[who] = generateSessionToken();
          await createSession(db, tokens[who], id, { twoFactorVerified: true });
        }
        const yesterday = new Date(Date.now() - 26 * 60 * 60 * 1000);
        const past = await insertPartyEvent(db, {
          slug: 'laboratorio-passato-porta',
          startsAt: yesterday,
          seats: 20,
          text: { it: 'Laboratorio passato', en: 'Past workshop' },
          values: {
            ends_at: new Date(yesterday.getTime() + 2 * 60 * 60 * 1000),
            seats_taken: 9,
            walk_ins: 3,
            owner_organisation_id: own!.id,
          },
        });
        pastEventId = past.id;
        const party = (
          reference: string,
          adults: number,
          kids: number,
          status: RegistrationStatus,
          arrived: boolean,
        ) => ({
          reference,
          event_id: past.id,
          adults,
          children_3_6: kids,
          seats: adults + kids,
          name: 'Famiglia Verdi',
          phone: '+393337778888',
          email: 'verdi@example.org',
          locale: 'it',
          status,
          arrived_at: arrived ? yesterday : null,
        });
        await db
          .insertInto('event_registration')
          .values([
            party('QE-AFT-01', 2, 2, 'confirmed', true),
            party('QE-AFT-02', 1, 1, 'confirmed', false),
            party('QE-AFT-03', 2, 1, 'confirmed', true),
            // Cancelled before the day: neither expected nor a no-show.
            party('QE-AFT-04', 2, 3, 'cancelled', false),
          ])
          .execute();
        // The round closed at the start: two families it could not seat (2 + 3 seats); one had left.
        const wait = (reference: string, adults: number, status: WaitStatus) => ({
          reference,
          event_id: past.id,
          adults,
          seats: adults,
          name: 'Famiglia Neri',
          phone: '+393339990000',
          email: null,
          locale: 'it',
          status,
        });
        await db
          .insertInto('wait_entry')
          .values([wait('QW-AFT-01', 2, 'closed'), wait('QW-AFT-02', 3, 'closed'), wait('QW-AFT-03', 1, 'left')])
          .execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const request = async (who: keyof typeof tokens, path: string, init: RequestInit = {}) => {
  // Each signed-in person's own session cookie.
  const headers = new Headers(init.headers);
  headers.set('Cookie', `qubi_session=${tokens[who]}`);
  const res = await fetch(server.origin + path, { redirect: 'manual', ...init, headers });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
};
const post = (who: keyof typeof tokens, path: string, fields: [string, string][]) =>
  request(who, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
    body: new URLSearchParams(fields).toString(),
  });

/** The page's first form that posts to this action. */
function formOf(html: string, path: string, action: string) {
  for (let i = 0; ; i++) {
    const form = parseForm(html, path, i);
    if (form.action.includes(`_action=${action}`)) return form;
  }
}

describe('the door list', () => {
  it('lists the parties, marks one arrived and counts a walk-in; another municipio gets 403', async () => {
    const path = `/it/staff/eventi/${eventId}/ingresso`;
    expect((await request('coord8', path)).status).toBe(403);
    const page = await request('coord2', path);
    expect(page.status).toBe(200);
    expect(page.html).toContain('QE-DOOR-01');
    expect(page.html).toContain('العربية');
    expect(page.html).not.toContain('+393331112222');
    expect(page.html).not.toContain('Famiglia');

    const arrive = formOf(page.html, path, 'events.markArrived');
    expect((await post('coord8', arrive.action, arrive.fields)).status).toBe(403);
    expect((await request('coord2', path)).html).not.toContain('Annulla arrivo');
    const done = await post('coord2', arrive.action, arrive.fields);
    expect(done.status).toBe(303);
    expect((await request('coord2', path)).html).toContain('Annulla arrivo');

    const walkIn = formOf(page.html, path, 'events.countWalkIn');
    expect((await post('coord2', walkIn.action, [['change', '1']])).status).toBe(303);
    expect((await request('coord2', path)).html).toContain('Entrati senza iscrizione: 1');
  });
});

/** The "after the event" numbers as the page lists them: term → value. */
const afterNumbers = (html: string) => {
  const dl = /<dl class="facts" aria-label="Dopo l’evento">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '';
  return Object.fromEntries(
    [...dl.matchAll(/<dt>([^<]*)<\/dt>\s*<dd>([^<]*)<\/dd>/g)].map((m) => [m[1]!.trim(), m[2]!.trim()]),
  );
};

describe('after the event', () => {
  it('gives people who came, seats not used and the unmet waiting list as numbers, never a name', async () => {
    const path = `/it/staff/eventi/${pastEventId}/ingresso`;
    const page = await request('partnerOwn', path);
    expect(page.status).toBe(200);
    // Arrived 4 + 3 seats and 3 walk-ins; QE-AFT-02's 2 seats unused; the cancelled party counts nowhere.
    expect(afterNumbers(page.html)).toEqual({
      'Persone venute (con chi è entrato senza iscrizione)': '10',
      'Posti prenotati non usati': '2',
    });
    // Two families (5 seats) the waiting list could not seat; the one who left is not counted.
    expect(page.html).toContain('Lista d’attesa: 2 famiglie, 5 posti');
    expect(page.html).not.toContain('QE-AFT-04');
    for (const personal of ['Verdi', 'Neri', '+39333', 'verdi@example.org', 'QW-AFT-'])
      expect(page.html).not.toContain(personal);
  });

  it('a partner of the owning organisation marks a party arrived; another organisation’s partner gets 403', async () => {
    const path = `/it/staff/eventi/${pastEventId}/ingresso`;
    expect((await request('partnerOther', path)).status).toBe(403);
    const page = await request('partnerOwn', path);
    const late = formOf(page.html, path, 'events.markArrived');
    // The first form is QE-AFT-01's (the list is by reference), already arrived: take QE-AFT-02's.
    const form = parseForm(
      page.html,
      path,
      page.html.slice(0, page.html.indexOf('QE-AFT-02')).split('<form').length - 1,
    );
    expect(late.fields).toContainEqual(['arrived', 'no']);
    expect(form.fields).toContainEqual(['arrived', 'yes']);

    const refused = await post('partnerOther', form.action, form.fields);
    expect(refused.status).toBe(403);
    expect(afterNumbers((await request('partnerOwn', path)).html)).toMatchObject({ 'Posti prenotati non usati': '2' });

    const done = await post('partnerOwn', form.action, form.fields);
    expect(done.status).toBe(303);
    expect(afterNumbers((await request('partnerOwn', path)).html)).toEqual({
      'Persone venute (con chi è entrato senza iscrizione)': '12',
      'Posti prenotati non usati': '0',
    });
  });

  it('prints as a list to tick: the buttons hidden, a box per party (ticked when arrived)', async () => {
    const page = await request('coord8', `/it/staff/eventi/${pastEventId}/ingresso`);
    expect(page.status).toBe(200);
    const rows = [...page.html.matchAll(/<tr id="r\d+">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(3);
    // Each party's box says what its button says: ticked for one marked arrived ("Annulla arrivo").
    for (const row of rows)
      expect(/<span class="door-tick"[^>]*>\s*(.)\s*<\/span>/.exec(row)?.[1]).toBe(
        row.includes('Annulla arrivo') ? '☑' : '☐',
      );
    expect(rows.filter((r) => r.includes('☑')).length).toBeGreaterThanOrEqual(2);
    // The page's print rule hides the forms and shows the boxes.
    expect(page.html).toMatch(/@media print\s*{[^}]*main form/);
    expect(page.html).toMatch(/\.door-tick\s*{[^}]*display:\s*inline/);
  });
});
