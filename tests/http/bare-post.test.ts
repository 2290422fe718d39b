// A POST to a form page that names no action (no `?_action=`): every page answers it the same way
// (src/server/actions/bare-post.ts): the page as its GET shows it, its forms included, with a plain
// message in the page's language that nothing was sent, status 400, never cached, nothing changed.
// Staff sign-in and sign-out still take a bare POST as their one action (their own tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { decode } from '../support/staff-http.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';

const notSent = (locale: string) => getTranslator(locale as Locale)('form.notSent.title');

let server: RunningServer;
let adminCookie = '';
let eventId = 0;
let otherUserId = 0;
/** The seeded 22 December party (120 sample seats): its sign-up form and its door list. */
const party = { id: 0, slug: '' };

beforeAll(async () => {
  server = await startServer(
    { RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000', RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '10000' },
    {
      async prepare(db) {
        const id = await createUser(db, { email: 'bare@comune.example', displayName: 'Admin', role: 'admin' });
        // Admins must have a second factor; this session has passed it.
        await db
          .updateTable('app_user')
          .set({ totp_secret: 'x', totp_enabled_at: new Date() })
          .where('id', '=', id)
          .execute();
        const token = generateSessionToken();
        await createSession(db, token, id, { twoFactorVerified: true });
        adminCookie = `qubi_session=${token}`;
        otherUserId = await createUser(db, {
          email: 'altro@comune.example',
          displayName: 'Altro',
          role: 'coordinator',
          municipi: [8],
        });
        // Someone on the staff volunteers' list, whose status form the page shows.
        await db
          .insertInto('volunteer')
          .values({
            name: 'Volontaria Elencata',
            email: 'elencata@example.org',
            phone: null,
            municipi: [8],
            skills: ['homework'],
            languages: ['it'],
            availability: [],
            note: null,
            locale: 'it',
            status: 'new',
            withdraw_key: 'k'.repeat(32),
            consent_at: new Date(),
            confirmed_at: new Date(),
          })
          .execute();
        eventId = (await db.selectFrom('event').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
        Object.assign(
          party,
          await db
            .selectFrom('event')
            .select(['id', 'slug'])
            .where('slug', 'like', 'festa-di-natale-qubi-casa-dei-giochi-%')
            .executeTakeFirstOrThrow(),
        );
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

async function request(path: string, init: RequestInit = {}): Promise<Page> {
  const headers = new Headers(init.headers);
  if (path.includes('/staff/')) headers.set('Cookie', adminCookie);
  const res = await fetch(server.origin + path, { redirect: 'manual', ...init, headers });
  return { status: res.status, html: await res.text(), headers: res.headers };
}
const get = (path: string) => request(path);
const postBare = (path: string, fields: Fields) =>
  request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
    body: new URLSearchParams(fields).toString(),
  });

/**
 * The page's first form that posts to one of its own actions (not the staff layout's sign-out):
 * its address and its fields as a browser sends them.
 */
function actionForm(page: Page, path: string, withField?: string): { action: string; fields: Fields } | undefined {
  for (const [, tag, body] of page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = /action="([^"]*_action=[^"]*)"/.exec(tag!)?.[1];
    if (!action || !/method="post"/i.test(tag!)) continue;
    if (new URL(decode(action), 'http://x').pathname !== new URL(path, 'http://x').pathname) continue;
    if (withField && !body!.includes(`name="${withField}"`)) continue;
    const fields: Fields = [];
    for (const [input] of body!.matchAll(/<(?:input|textarea)\b[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input)?.[1];
      if (!name || (/type="(checkbox|radio)"/.test(input) && !/\bchecked\b/.test(input))) continue;
      fields.push([decode(name), decode(/value="([^"]*)"/.exec(input)?.[1] ?? '')]);
    }
    return { action: decode(action), fields };
  }
  return undefined;
}

/** The address without the action's name: what a form saved before the Actions, or a script, posts to. */
function withoutAction(action: string): string {
  const url = new URL(action, 'http://x');
  url.searchParams.delete('_action');
  return url.pathname + url.search;
}

// Every page whose GET shows a form posting to an action (the staff agenda's intent forms aside).
const FORM_PAGES = () => [
  '/it/sportelli/quarto-oggiaro/prenota',
  '/en/prenotazione/annulla',
  '/es/volontari',
  '/zh/zaino-sospeso/dona',
  `/ar/eventi/${party.slug}/iscrizione`,
  '/it/staff/account',
  '/en/staff/account/due-fattori',
  '/it/staff/eventi/nuovo',
  `/it/staff/eventi/${eventId}`,
  `/en/staff/eventi/${party.id}/ingresso`,
  '/it/staff/raccolta/articoli',
  `/it/staff/utenti?modifica=${otherUserId}`,
  '/en/staff/utenti/invita',
  '/it/staff/volontari',
  '/it/staff/gdpr',
  '/en/staff/password-dimenticata',
];

describe('a POST that names no action', () => {
  it('re-shows every form page with its form and a message in its language, 400, never cached', async () => {
    for (const path of FORM_PAGES()) {
      const shown = await get(path);
      expect(shown.status, path).toBe(200);
      const form = actionForm(shown, path);
      expect(form, `${path} has a form posting to an action`).toBeDefined();
      const answer = await postBare(withoutAction(form!.action), form!.fields);
      expect(answer.status, path).toBe(400);
      expect(answer.headers.get('cache-control'), path).toContain('no-store');
      const locale = path.split('/')[1]!;
      expect(decode(answer.html), path).toContain(notSent(locale));
      expect(actionForm(answer, path)?.action, `${path}: the same form again`).toBe(form!.action);
    }
  }, 120_000);

  it('changes nothing: the event keeps its title, nobody is invited, no seat is taken; the next visitor sees no message', async () => {
    const eventPath = `/it/staff/eventi/${eventId}`;
    const before = actionForm(await get(eventPath), eventPath, 'title-it')!;
    const title = before.fields.find(([name]) => name === 'title-it')![1];
    const edited = before.fields.map(([k, v]): [string, string] => [k, k === 'title-it' ? 'Titolo mai salvato' : v]);
    expect((await postBare(eventPath, edited)).status).toBe(400);
    const after = actionForm(await get(eventPath), eventPath, 'title-it')!;
    expect(after.fields.find(([name]) => name === 'title-it')![1]).toBe(title);

    const invite = actionForm(await get('/it/staff/utenti/invita'), '/it/staff/utenti/invita')!;
    const invited: Fields = [
      ...invite.fields.filter(([k]) => !['email', 'displayName', 'role', 'municipi', 'locale'].includes(k)),
      ['email', 'mai.invitata@comune.example'],
      ['displayName', 'Mai Invitata'],
      ['role', 'coordinator'],
      ['municipi', '8'],
      ['locale', 'it'],
    ];
    expect((await postBare('/it/staff/utenti/invita', invited)).status).toBe(400);
    expect((await get('/it/staff/utenti')).html).not.toContain('mai.invitata@comune.example');
    // The same answers posted to the form's action do invite: the check above could have failed.
    expect((await postBare(invite.action, invited)).status).toBe(303);
    expect((await get('/it/staff/utenti')).html).toContain('mai.invitata@comune.example');

    // A family's sign-up: no seat taken.
    const seatsLeft = async () =>
      (
        (await (await fetch(`${server.origin}/api/v1/events`)).json()) as {
          slug: string;
          seats: { left: number } | null;
        }[]
      ).find((e) => e.slug === party.slug)!.seats!.left;
    const left = await seatsLeft();
    const signUpPath = `/it/eventi/${party.slug}/iscrizione`;
    const family = actionForm(await get(signUpPath), signUpPath)!;
    const answers: Fields = [
      ...family.fields.filter(([k]) => !['adults', 'name', 'phone'].includes(k)),
      ['adults', '2'],
      ['name', 'Nadia'],
      ['phone', '333 123 4567'],
    ];
    expect((await postBare(signUpPath, answers)).status).toBe(400);
    expect(await seatsLeft()).toBe(left);

    // A public page: the 400 says so, and the front cache did not keep it for the next visitor.
    const signUp = actionForm(await get('/it/volontari'), '/it/volontari')!;
    expect((await postBare('/it/volontari', signUp.fields)).status).toBe(400);
    const next = await get('/it/volontari');
    expect(next.status).toBe(200);
    expect(decode(next.html)).not.toContain(notSent('it'));
  }, 60_000);
});
