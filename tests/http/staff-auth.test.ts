// Staff sign-in over plain HTTP against the built server, as a browser without JavaScript uses it:
// security headers everywhere, cookie attributes (and the __Host- prefix over HTTPS), sign-in
// required and never cached, no session fixation, cross-origin posts refused, brute force throttled
// (429 + Retry-After) and logged, the admin's TOTP set-up and the second step, sign-out, password
// change and reset.
//
// Accounts: on the embedded database the server runs with NODE_ENV=development and creates the demo
// accounts, whose credentials it prints; on PostgreSQL (TEST_DATABASE_URL) the test shares the
// server's schema and creates the same accounts itself, and also reads the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startStaffServer,
  useServer,
  get,
  post,
  request,
  submit,
  signIn,
  location,
  sessionCookieOf,
  type StaffServer,
} from '../support/staff-http.ts';
import { totpCode } from '#/features/staff-accounts/totp.ts';
import { startServer } from '../support/server.ts';
import { createTestDatabase, testDatabaseUrl } from '../support/db.ts';
import { loggedMails } from '../support/mail-log.ts';

/**
 * The address a page's form posts to, read from the page as a browser would: its own page with the
 * Astro Action's name (`?_action=staffAccounts.<name>`, src/features/staff-accounts/actions.ts).
 */
async function actionAt(page: string, name: string, cookie?: string): Promise<string> {
  const html = (await get(page, cookie)).html;
  const found = new RegExp(`(?:form)?action="([^"]*[?&]_action=staffAccounts\\.${name})"`).exec(html)?.[1];
  expect(found, `a form of ${page} posts to staffAccounts.${name}`).toBeDefined();
  return found!;
}

let s: StaffServer;
beforeAll(async () => {
  s = await startStaffServer();
  useServer(s.server);
});
afterAll(async () => {
  await s?.stop();
});

describe('security headers', () => {
  it('are on staff pages, public pages and static files; CSP without unsafe-inline scripts; no HSTS over plain HTTP', async () => {
    for (const path of [
      '/it/staff/accesso',
      '/en/staff/password-dimenticata',
      '/it/eventi',
      '/it/chi-siamo',
      '/favicon.svg',
      '/robots.txt',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBeTruthy();
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
    for (const path of ['/it/staff/accesso', '/en/staff/accesso', '/it/eventi']) {
      const csp = (await get(path)).headers.get('content-security-policy')!;
      const scriptSrc = /script-src [^;]*/.exec(csp)?.[0];
      expect(scriptSrc, csp).toBeDefined();
      expect(scriptSrc).not.toContain("'unsafe-inline'");
      expect(csp).toContain("default-src 'self'");
    }
  });
});

describe('the staff area', () => {
  it('needs sign-in (303 to accesso with next) and is never cached', async () => {
    for (const path of ['/it/staff', '/en/staff/account', '/it/staff/account/due-fattori']) {
      const res = await get(path);
      expect(res.status, path).toBe(303);
      const to = new URL(location(res)!, s.server.origin);
      expect(to.pathname, path).toBe(`/${path.split('/')[1]}/staff/accesso`);
      expect(to.searchParams.get('next'), path).toBe(path);
    }
    for (const path of [
      '/it/staff/accesso',
      '/en/staff/accesso',
      '/it/staff/password-dimenticata',
      '/it/staff/invito?token=x',
      '/it/staff/password-nuova',
    ]) {
      const res = await get(path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    const page = await get('/en/staff/accesso');
    expect(page.html).toContain('<meta name="robots" content="noindex, nofollow"');
    expect(page.html).toContain('autocomplete="current-password"');
    expect(page.html).not.toMatch(/onpaste|<script/);
  });

  it('exists in Italian and English only', async () => {
    for (const path of ['/ar/staff/accesso', '/es/staff', '/zh/staff/account'])
      expect((await get(path)).status, path).toBe(404);
    expect((await get('/it/staff/accesso')).html).toContain('Accedi all');
    expect((await get('/en/staff/accesso')).html).toContain('Sign in to the staff area');
  });

  it('refuses a cross-origin form post (403)', async () => {
    const { coordinator } = s.accounts;
    for (const path of ['/it/staff/accesso', '/it/staff/esci', '/it/staff/password-dimenticata']) {
      const res = await post(
        path,
        { email: coordinator.email, password: coordinator.password },
        { origin: 'https://evil.example' },
      );
      expect(res.status, path).toBe(403);
      expect(sessionCookieOf(res), path).toBeUndefined();
    }
  });
});

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax cookie (no Secure over plain HTTP) and shows the home page of the role', async () => {
    const { page, cookie } = await signIn(s.accounts.coordinator);
    expect(location(page)).toBe('/it/staff');
    const line = sessionCookieOf(page)!.line;
    expect(line).toMatch(/^qubi_session=[A-Za-z0-9_-]{20}\.[A-Za-z0-9_-]{43};/);
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Path=\//i);
    expect(line).not.toMatch(/; Secure/i);
    expect(line).not.toMatch(/Domain=/i);
    const home = await get('/it/staff', cookie);
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(home.html).toContain('Municipio 8');
    expect(home.html).toContain('href="/it/staff/volontari"');
    expect(home.html).toContain('Esci');
    const partner = await signIn(s.accounts.partner_editor, { locale: 'en' });
    const partnerHome = await get('/en/staff', partner.cookie);
    expect(partnerHome.html).toContain(s.accounts.partner_editor.scope);
    expect(partnerHome.html).not.toContain('href="/en/staff/volontari"');
  });

  it('answers a wrong password or an unknown address with the same generic error', async () => {
    const wrong = await submit('/en/staff/accesso', {
      email: s.accounts.desk_operator.email,
      password: 'not the password',
    });
    const unknown = await submit('/en/staff/accesso', { email: 'nobody@comune.example', password: 'not the password' });
    for (const page of [wrong, unknown]) {
      expect(page.status).toBe(422);
      expect(page.html).toContain('Email or password not correct');
      expect(page.html).toContain('class="error-summary"');
      expect(sessionCookieOf(page)).toBeUndefined();
    }
    // The address is kept, never the password.
    expect(wrong.html).toContain(`value="${s.accounts.desk_operator.email}"`);
    expect(wrong.html).not.toContain('not the password');
  });

  it('answers a refused sign-in with 303 to the form; Back, a reload or the other language show the address, never the password', async () => {
    const posted = await post('/it/staff/accesso', {
      email: s.accounts.desk_operator.email,
      password: 'still not the password',
      next: '/it/staff/account',
    });
    expect(posted.status).toBe(303);
    expect(location(posted)).toBe('/it/staff/accesso?next=%2Fit%2Fstaff%2Faccount');
    expect(location(posted)).not.toContain('comune.example');
    const draft = posted.headers
      .getSetCookie()
      .find((c) => c.startsWith('qubi-draft-staff='))!
      .split(';')[0]!;
    for (const path of [location(posted)!, '/en/staff/accesso?next=%2Fit%2Fstaff%2Faccount']) {
      const shown = await get(path, draft);
      expect(shown.status, path).toBe(422);
      expect(shown.html).toContain(`value="${s.accounts.desk_operator.email}"`);
      expect(shown.html).not.toContain('still not the password');
      expect(shown.html).toContain('class="error-summary"');
    }
    expect((await get('/en/staff/accesso', draft)).html).toContain('Email or password not correct');
  });

  it('goes to `next` only within the staff area', async () => {
    const ok = await signIn(s.accounts.desk_operator, { next: '/it/staff/account' });
    expect(location(ok.page)).toBe('/it/staff/account');
    for (const next of ['https://evil.example/it/staff', '//evil.example/it/staff', '/it/eventi']) {
      const res = await signIn(s.accounts.desk_operator, { next });
      expect(location(res.page), next).toBe('/it/staff');
    }
    // The form carries next from the query string.
    expect((await get('/it/staff/accesso?next=%2Fit%2Fstaff%2Faccount')).html).toContain(
      'name="next" value="/it/staff/account"',
    );
  });

  it('never keeps a session planted before sign-in (no fixation)', async () => {
    // A made-up token, and a real session of another account, both planted in the browser.
    const planted = `qubi_session=${'A'.repeat(20)}.${'B'.repeat(43)}`;
    const attacker = await signIn(s.accounts.partner_editor);
    for (const before of [planted, attacker.cookie]) {
      const { cookie } = await signIn(s.accounts.desk_operator, { cookie: before });
      expect(cookie).not.toBe(before);
      expect((await get('/it/staff', cookie)).status).toBe(200);
      // The planted session is not the signed-in one: it leads nowhere (the real one was ended).
      const res = await get('/it/staff', before);
      expect(res.status).toBe(303);
      expect(location(res)).toMatch(/^\/it\/staff\/accesso/);
    }
  });

  it('throttles brute force on one account: 429 with Retry-After after 5 failures, even for the right password', async () => {
    const victim = s.accounts.partner_editor;
    for (let i = 0; i < 5; i++) {
      const res = await submit('/it/staff/accesso', { email: victim.email, password: `guess number ${i}` });
      expect(res.status, `attempt ${i + 1}`).toBe(422);
      expect(res.html).toContain('Email o password non corrette');
    }
    const locked = await submit('/it/staff/accesso', { email: victim.email, password: victim.password });
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.html).toContain('Troppi tentativi');
    expect(sessionCookieOf(locked)).toBeUndefined();
    // Other accounts from the same address still sign in.
    await signIn(s.accounts.coordinator);
    if (s.db) {
      const userId = (
        await s.db.selectFrom('app_user').select('id').where('email', '=', victim.email).executeTakeFirstOrThrow()
      ).id;
      const rows = await s.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('subject', '=', `user:${userId}`)
        .where('action', 'in', ['auth.sign_in_failed', 'auth.locked'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.action)).toEqual([...Array(5).fill('auth.sign_in_failed'), 'auth.locked']);
      expect(rows[5]!.detail).toMatchObject({ scope: 'account_ip', step: 'sign_in' });
    }
  });

  it('does not let an attacker lock the owner out: wrong passwords from 127.0.0.2 leave the right one working at once from 127.0.0.3', async () => {
    const owner = s.accounts.desk_operator;
    // Each refusal answers 303 back to the form (POST → 303 → GET); the GET of the attacker's
    // browser then shows 422, or 429 once that address is locked out.
    const shownFrom = async (password: string, from: string) => {
      const posted = await post('/en/staff/accesso', { email: owner.email, password }, { from });
      expect(posted.status).toBe(303);
      const draft = posted.headers
        .getSetCookie()
        .find((c) => c.startsWith('qubi-draft-staff='))!
        .split(';')[0]!;
      return request(location(posted)!, { cookie: draft, from });
    };
    for (let i = 0; i < 25; i++) {
      const res = await shownFrom(`guess number ${i}`, '127.0.0.2');
      expect(res.status, `attempt ${i + 1}`).toBe(i < 5 ? 422 : 429);
    }
    const refused = await shownFrom(owner.password, '127.0.0.2');
    expect(refused.status).toBe(429);
    const ok = await post(
      '/en/staff/accesso',
      { email: owner.email, password: owner.password, next: '' },
      { from: '127.0.0.3' },
    );
    expect(ok.status).toBe(303);
    expect(sessionCookieOf(ok)).toBeDefined();
  });
});

describe('admin second factor', () => {
  let secret = '';
  let recovery: string[] = [];

  it('sends an admin without TOTP to set it up, which takes a code and gives 10 recovery codes once', async () => {
    const { page, cookie } = await signIn(s.accounts.admin, { locale: 'en' });
    expect(location(page)).toBe('/en/staff');
    for (const path of ['/en/staff', '/en/staff/account']) {
      const res = await get(path, cookie);
      expect(res.status, path).toBe(303);
      expect(location(res), path).toBe('/en/staff/account/due-fattori');
    }
    const setup = await get('/en/staff/account/due-fattori', cookie);
    expect(setup.status).toBe(200);
    expect(setup.headers.get('cache-control')).toBe('no-store');
    const uri = /href="(otpauth:\/\/totp\/[^"]+)"/.exec(setup.html)?.[1];
    expect(uri).toBeDefined();
    secret = new URL(uri!).searchParams.get('secret')!;
    expect(setup.html.replace(/\s/g, '')).toContain(secret);
    expect(setup.html).not.toMatch(/<img\b/);
    // The same secret after a reload.
    expect((await get('/en/staff/account/due-fattori', cookie)).html).toContain(uri!);

    const wrongCode = totpCode(secret) === '000000' ? '111111' : '000000';
    // A wrong code answers 303 back to the set-up (POST → 303 → GET): the error shows, the code never.
    const refused = await post(
      await actionAt('/en/staff/account/due-fattori', 'enableTwoFactor', cookie),
      { code: wrongCode },
      { cookie },
    );
    expect([refused.status, location(refused)]).toEqual([303, '/en/staff/account/due-fattori']);
    const wrong = await submit(
      await actionAt('/en/staff/account/due-fattori', 'enableTwoFactor', cookie),
      { code: wrongCode },
      { cookie },
    );
    expect(wrong.status).toBe(422);
    expect(wrong.html).toContain('class="error-summary"');
    expect(wrong.html).not.toContain(`value="${wrongCode}"`);
    expect(wrong.html).toContain(uri!);
    const done = await post(
      await actionAt('/en/staff/account/due-fattori', 'enableTwoFactor', cookie),
      { code: totpCode(secret) },
      { cookie },
    );
    expect(done.status).toBe(200);
    recovery = [...done.html.matchAll(/<code[^>]*>([23456789A-HJKMNP-Z]{5}-[23456789A-HJKMNP-Z]{5})<\/code>/g)].map(
      (m) => m[1]!,
    );
    expect(recovery).toHaveLength(10);
    expect((await get('/en/staff', cookie)).status).toBe(200);
    const again = await get('/en/staff/account/due-fattori', cookie);
    expect(again.html).toContain('10 recovery codes left');
    expect(again.html).not.toContain(recovery[0]!);
  });

  it('asks for the code at the next sign-in; a TOTP code or a recovery code (once) passes', async () => {
    const { page, cookie } = await signIn(s.accounts.admin, { next: '/it/staff/account' });
    expect(location(page)).toBe('/it/staff/verifica?next=%2Fit%2Fstaff%2Faccount');
    const blocked = await get('/it/staff/account', cookie);
    expect(location(blocked)).toBe('/it/staff/verifica?next=%2Fit%2Fstaff%2Faccount');
    const form = await get('/it/staff/verifica?next=%2Fit%2Fstaff%2Faccount', cookie);
    expect(form.status).toBe(200);
    expect(form.html).toContain('autocomplete="one-time-code"');
    // A refused code answers 303 back to the step (next kept in the address); the GET shows the
    // error, the code never.
    const refused = await post(
      await actionAt('/it/staff/verifica', 'verify', cookie),
      { code: '12345', next: '/it/staff/account' },
      { cookie },
    );
    expect([refused.status, location(refused)]).toEqual([303, '/it/staff/verifica?next=%2Fit%2Fstaff%2Faccount']);
    const refusedShown = await submit(
      await actionAt('/it/staff/verifica', 'verify', cookie),
      { code: '12345', next: '/it/staff/account' },
      { cookie },
    );
    expect(refusedShown.status).toBe(422);
    expect(refusedShown.html).toContain('class="error-summary"');
    expect(refusedShown.html).not.toContain('value="12345"');
    // The code that turned TOTP on (this step's) is spent: the next step's code passes (clock drift allows it).
    const code = totpCode(secret, new Date(Date.now() + 30_000));
    const ok = await post(
      await actionAt('/it/staff/verifica', 'verify', cookie),
      { code, next: '/it/staff/account' },
      { cookie },
    );
    expect(ok.status).toBe(303);
    expect(location(ok)).toBe('/it/staff/account');
    expect((await get('/it/staff/account', cookie)).status).toBe(200);
    // Replayed in another sign-in (read over a shoulder, or from a log), the same code is refused.
    const replay = await signIn(s.accounts.admin);
    const replayed = await submit(
      await actionAt('/it/staff/verifica', 'verify', replay.cookie),
      { code },
      { cookie: replay.cookie },
    );
    expect(replayed.status).toBe(422);
    expect((await get('/it/staff', replay.cookie)).status).toBe(303);
    // So is it for a recovery action (new recovery codes) in the signed-in session.
    const renew = await submit(
      await actionAt('/en/staff/account/due-fattori', 'replaceRecoveryCodes', cookie),
      { code },
      { cookie },
    );
    expect(renew.status).toBe(422);
    expect(renew.html).not.toMatch(/<code[^>]*>[23456789A-HJKMNP-Z]{5}-[23456789A-HJKMNP-Z]{5}<\/code>/);

    const second = await signIn(s.accounts.admin);
    const byRecovery = await post(
      await actionAt('/it/staff/verifica', 'verify', second.cookie),
      { code: recovery[0]!.toLowerCase() },
      { cookie: second.cookie },
    );
    expect(byRecovery.status).toBe(303);
    expect((await get('/it/staff', second.cookie)).status).toBe(200);
    const third = await signIn(s.accounts.admin);
    expect(
      (
        await submit(
          await actionAt('/it/staff/verifica', 'verify', third.cookie),
          { code: recovery[0]! },
          { cookie: third.cookie },
        )
      ).status,
    ).toBe(422);
    expect((await get('/it/staff', third.cookie)).status).toBe(303);
  });
});

describe('invitation form', () => {
  it('answers errors with 303 back to the form; the GET in either language shows the answers, none in the address', async () => {
    const { cookie } = await signIn(s.accounts.coordinator);
    const posted = await post(
      await actionAt('/it/staff/utenti/invita', 'invite', cookie),
      { displayName: 'Nuova Operatrice', email: 'not an address', role: 'desk_operator', locale: 'it' },
      { cookie },
    );
    expect(posted.status).toBe(303);
    expect(location(posted)).toBe('/it/staff/utenti/invita');
    const shown = await submit(
      await actionAt('/en/staff/utenti/invita', 'invite', cookie),
      { displayName: 'Nuova Operatrice', email: 'not an address', role: 'desk_operator', locale: 'it' },
      { cookie },
    );
    expect(shown.status).toBe(422);
    expect(shown.html).toContain('class="error-summary"');
    expect(shown.html).toContain('value="Nuova Operatrice"');
    expect(shown.html).toContain('value="not an address"');
  });
});

describe('sign-out, password change and reset', () => {
  it('signs out with POST only; the old cookie is then worthless', async () => {
    const { cookie } = await signIn(s.accounts.coordinator);
    expect((await get('/it/staff/esci', cookie)).status).toBe(405);
    expect((await get('/it/staff', cookie)).status).toBe(200);
    const out = await post('/it/staff/esci', {}, { cookie });
    expect(out.status).toBe(303);
    expect(location(out)).toBe('/it/staff/accesso?fatto=esci');
    expect(sessionCookieOf(out)?.line).toMatch(/^qubi_session=[^;]*;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
    expect((await get('/it/staff', cookie)).status).toBe(303);
    expect((await get('/it/staff/accesso?fatto=esci')).html).toContain('Sei uscito');
  });

  it('changes the password: every session ends, this browser gets a new one', async () => {
    const operator = s.accounts.desk_operator;
    const other = await signIn(operator);
    const { cookie } = await signIn(operator);
    // A refused change answers 303 back to the form (POST → 303 → GET): the error is kept, the
    // passwords never (both fields come back empty, in either language).
    const refused = await post(
      await actionAt('/en/staff/account', 'changePassword', cookie),
      { current: 'not-it-7f3a', password: 'a brand new passphrase' },
      { cookie },
    );
    expect([refused.status, location(refused)]).toEqual([303, '/en/staff/account']);
    const wrong = await submit(
      await actionAt('/en/staff/account', 'changePassword', cookie),
      { current: 'not-it-7f3a', password: 'a brand new passphrase' },
      { cookie },
    );
    expect(wrong.status).toBe(422);
    expect(wrong.html).toContain('The current password is not correct');
    expect(wrong.html).not.toContain('not-it-7f3a');
    expect(wrong.html).not.toContain('a brand new passphrase');
    const draft = refused.headers
      .getSetCookie()
      .find((c) => c.startsWith('qubi-draft-staff='))!
      .split(';')[0];
    const italian = await get('/it/staff/account', `${cookie}; ${draft}`);
    expect(italian.status).toBe(422);
    expect(italian.html).toContain('La password attuale');
    const common = await submit(
      await actionAt('/en/staff/account', 'changePassword', cookie),
      { current: operator.password, password: 'password123' },
      { cookie },
    );
    expect(common.status).toBe(422);
    expect(common.html).toContain('one of the most common');
    expect(common.html).not.toContain('password123');
    const changed = await post(
      await actionAt('/en/staff/account', 'changePassword', cookie),
      { current: operator.password, password: 'a brand new passphrase' },
      { cookie },
    );
    expect(changed.status).toBe(303);
    expect(location(changed)).toBe('/en/staff/account?fatto=password');
    const fresh = sessionCookieOf(changed)!.pair;
    expect(fresh).not.toBe(cookie);
    expect((await get('/en/staff/account?fatto=password', fresh)).html).toContain('Your password is changed');
    for (const old of [cookie, other.cookie]) expect((await get('/en/staff', old)).status).toBe(303);
    operator.password = 'a brand new passphrase';
    await signIn(operator);
  });

  it('resets a forgotten password through the emailed link, with the same answer for unknown addresses', async () => {
    const coordinator = s.accounts.coordinator;
    // A refused address answers 303 back to the form, which shows the error and what was typed.
    const typo = await post(await actionAt('/en/staff/password-dimenticata', 'forgotPassword'), {
      email: 'coordinatore.comune.example',
    });
    expect([typo.status, location(typo)]).toEqual([303, '/en/staff/password-dimenticata']);
    const typoShown = await submit(await actionAt('/en/staff/password-dimenticata', 'forgotPassword'), {
      email: 'coordinatore.comune.example',
    });
    expect(typoShown.status).toBe(422);
    expect(typoShown.html).toContain('class="error-summary"');
    expect(typoShown.html).toContain('value="coordinatore.comune.example"');
    const known = await post(await actionAt('/en/staff/password-dimenticata', 'forgotPassword'), {
      email: coordinator.email,
    });
    const unknown = await post(await actionAt('/en/staff/password-dimenticata', 'forgotPassword'), {
      email: 'nobody@comune.example',
    });
    for (const res of [known, unknown]) {
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/en/staff/password-dimenticata?inviata=1');
    }
    // The log names the .eml file, never the link: its token would let any reader of the log in.
    await waitFor(() => /\[mail\] staff_password_reset #\d+ written to \S+\.eml$/m.exec(s.server.output())?.[0]);
    expect(s.server.output()).not.toMatch(/token=/);
    const [mail] = await loggedMails(s.server.output(), 'staff_password_reset', /\/staff\/password-nuova\?token=/);
    const url = new URL(mail!.url);
    expect(url.pathname).toBe('/en/staff/password-nuova');
    const form = await get(url.pathname + url.search);
    expect(form.status).toBe(200);
    expect(form.html).toContain(coordinator.email);
    const token = url.searchParams.get('token')!;
    // The form posts to the link's own address with its action (the token where the email put it).
    const resetAt = new RegExp(`action="([^"]*[?&]_action=staffAccounts\\.resetPassword)"`).exec(form.html)?.[1];
    expect(resetAt).toBe(`/en/staff/password-nuova?token=${token}&_action=staffAccounts.resetPassword`);
    // A refused password answers 303 back to the link: the GET shows the error, the password never.
    const short = await post(resetAt!, { password: 'short7q' });
    expect([short.status, location(short)]).toEqual([303, `/en/staff/password-nuova?token=${token}`]);
    const shortShown = await submit(resetAt!, { password: 'short7q' });
    expect(shortShown.status).toBe(422);
    expect(shortShown.html).toContain('at least 8 characters');
    expect(shortShown.html).not.toContain('short7q');
    // Another link of the same browser does not show that error.
    const shortDraft = short.headers
      .getSetCookie()
      .find((c) => c.startsWith('qubi-draft-staff='))!
      .split(';')[0]!;
    expect((await get('/en/staff/password-nuova?token=another', shortDraft)).html).not.toContain(
      'at least 8 characters',
    );
    const done = await post(resetAt!, { password: 'the coordinator of municipio eight' });
    expect(done.status).toBe(303);
    expect(location(done)).toBe('/en/staff/accesso?fatto=password');
    const reused = await submit(resetAt!, { password: 'the coordinator of municipio eight' });
    expect(reused.status).toBe(400);
    coordinator.password = 'the coordinator of municipio eight';
    await signIn(coordinator);
  }, 40_000);
});

async function waitFor<T>(read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('behind HTTPS (PUBLIC_URL https://…)', () => {
  let https: StaffServer;
  beforeAll(async () => {
    https = await startStaffServer({
      PUBLIC_URL: 'https://qubi.example.org',
      RATE_LIMIT_SIGN_IN_FAILURES_PER_IP_PER_HOUR: '3',
    });
  });
  afterAll(async () => {
    await https?.stop();
  });

  it('sends HSTS on pages and files', async () => {
    for (const path of ['/it/staff/accesso', '/it', '/favicon.svg']) {
      const res = await get(path, undefined, https.server);
      expect(res.headers.get('strict-transport-security'), path).toMatch(/max-age=\d{7,}/);
    }
  });

  it('names the cookie __Host-… and marks it Secure', async () => {
    const { page, cookie } = await signIn(https.accounts.coordinator, { srv: https.server });
    const line = sessionCookieOf(page)!.line;
    expect(line).toMatch(/^__Host-qubi_session=/);
    expect(line).toMatch(/; Secure/i);
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Path=\//i);
    expect(line).not.toMatch(/Domain=/i);
    expect((await get('/it/staff', cookie, https.server)).status).toBe(200);
  });

  it('throttles one IP across accounts (RATE_LIMIT_SIGN_IN_FAILURES_PER_IP_PER_HOUR)', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (
          await submit(
            '/it/staff/accesso',
            { email: `someone${i}@comune.example`, password: 'whatever it is' },
            { srv: https.server },
          )
        ).status,
      ).toBe(422);
    const res = await submit(
      '/it/staff/accesso',
      { email: https.accounts.desk_operator.email, password: https.accounts.desk_operator.password },
      { srv: https.server },
    );
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(3000);
  });
});

describe('with NODE_ENV=production', () => {
  it('creates no demo account', async () => {
    const t = testDatabaseUrl ? await createTestDatabase() : undefined;
    const production = await startServer({ ...(t?.env ?? {}) });
    try {
      expect(production.output()).not.toContain('[demo]');
      expect(production.output()).not.toContain('Demo accounts');
      const res = await submit(
        '/it/staff/accesso',
        { email: 'demo.admin@qubi.example.org', password: 'demo-aaaaa-bbbbb-ccccc' },
        { srv: production },
      );
      expect(res.status).toBe(422);
      if (t) expect(await t.db.selectFrom('app_user').select('id').execute()).toEqual([]);
    } finally {
      await production.stop();
      await t?.close();
    }
  });
});
