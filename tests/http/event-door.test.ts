// The door list of an event over plain HTTP (issue #13, "At the door"): the coordinator of the
// event's municipio sees its parties by reference with their seats and language, marks one arrived
// and counts a walk-in without JavaScript; a coordinator of another municipio gets 403 for the page
// and for each form, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { parseForm } from '../support/html-form.ts';

let server: RunningServer;
let eventId = 0;
const tokens: Record<'coord2' | 'coord8', string> = { coord2: '', coord8: '' };

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
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const request = async (who: keyof typeof tokens, path: string, init: RequestInit = {}) => {
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
