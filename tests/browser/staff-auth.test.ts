// The staff sign-in in Chromium: it works with JavaScript off (sign in, second step, sign out), and
// axe finds no WCAG 2.1 A/AA violation on the sign-in, second-step, password and account pages, in
// Italian and English, with and without errors shown.
//
// Accounts: the demo accounts the server prints with NODE_ENV=development on the embedded database;
// on PostgreSQL (TEST_DATABASE_URL) the test creates the same accounts in the server's schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startStaffServer } from '../support/staff-http.ts';
import type { DemoAccount } from '#/features/staff-accounts/demo.ts';
import { browserSite, expectNoViolations } from './support.ts';
import { freshTotpCode, signIn as signInAs } from './staff-support.ts';

let adminSecret = '';

const site = browserSite(() => startStaffServer());

const signIn = (page: Page, locale: string, account: DemoAccount, password = account.password) =>
  signInAs(page, site.origin, account, { locale, password });

/** Submits the page's form (not the sign-out button every signed-in page has) and waits for the answer. */
async function submit(page: Page): Promise<void> {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('main form:not([action*="_action=staffAccounts.signOut"]) button[type="submit"]').first().click(),
  ]);
}

async function signOut(page: Page): Promise<void> {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form[action*="_action=staffAccounts.signOut"] button'),
  ]);
  expect(new URL(page.url()).pathname).toMatch(/\/staff\/accesso$/);
}

describe('without JavaScript', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await site.browser.newContext({ javaScriptEnabled: false });
  });
  afterAll(async () => {
    await context?.close();
  });

  it('an admin signs in, sets up two-step verification, signs out, and passes the second step next time', async () => {
    const page = await context.newPage();
    try {
      await signIn(page, 'it', site.app.accounts.admin);
      // Admins must have TOTP: the staff home sends them to set it up.
      expect(new URL(page.url()).pathname).toBe('/it/staff/account/due-fattori');
      const uri = await page.locator('a[href^="otpauth://"]').getAttribute('href');
      adminSecret = new URL(uri!).searchParams.get('secret')!;
      await page.fill('#code', await freshTotpCode(adminSecret));
      await submit(page);
      expect(await page.locator('ol.recovery-codes li').count()).toBe(10);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a.btn')]);
      expect(new URL(page.url()).pathname).toBe('/it/staff');
      expect(await page.locator('h1').innerText()).not.toBe('');
      await signOut(page);

      await signIn(page, 'it', site.app.accounts.admin);
      expect(new URL(page.url()).pathname).toBe('/it/staff/verifica');
      await page.fill('#code', await freshTotpCode(adminSecret));
      await submit(page);
      expect(new URL(page.url()).pathname).toBe('/it/staff');
      await signOut(page);
    } finally {
      await page.close();
    }
  });

  it('a wrong password shows the error summary; the right one signs in', async () => {
    const page = await context.newPage();
    try {
      await signIn(page, 'en', site.app.accounts.coordinator, 'not the right password');
      expect(await page.locator('.error-summary').innerText()).toContain('Email or password not correct');
      expect(await page.inputValue('#email')).toBe(site.app.accounts.coordinator.email);
      await page.fill('#password', site.app.accounts.coordinator.password);
      await submit(page);
      expect(new URL(page.url()).pathname).toBe('/en/staff');
      expect(await page.locator('h1').innerText()).toBe('QuBì staff area');
      await signOut(page);
    } finally {
      await page.close();
    }
  });
});

describe('axe finds no WCAG 2.1 A/AA violation', () => {
  // axe-core is injected as an inline script, which the pages' CSP refuses: only this context bypasses CSP.
  it.each(['it', 'en'])(
    '/%s/staff: sign-in, errors, password reset, second step, account and two-step pages',
    async (locale) => {
      expect(adminSecret, 'the admin set up TOTP in the test above').not.toBe('');
      await site.withPage({ bypassCSP: true }, async (page) => {
        await page.goto(`${site.origin}/${locale}/staff/accesso`, { waitUntil: 'load' });
        await expectNoViolations(page, 'sign-in');
        await signIn(page, locale, site.app.accounts.partner_editor, 'a wrong password');
        expect(await page.locator('.error-summary').count()).toBe(1);
        await expectNoViolations(page, 'sign-in with an error');

        await page.goto(`${site.origin}/${locale}/staff/password-dimenticata`, { waitUntil: 'load' });
        await expectNoViolations(page, 'forgot password');
        await submit(page);
        expect(await page.locator('.error-summary').count()).toBe(1);
        await expectNoViolations(page, 'forgot password with an error');
        await page.goto(`${site.origin}/${locale}/staff/password-nuova?token=${'x'.repeat(43)}`, {
          waitUntil: 'load',
        });
        await expectNoViolations(page, 'reset link not valid');

        await signIn(page, locale, site.app.accounts.admin);
        expect(new URL(page.url()).pathname).toBe(`/${locale}/staff/verifica`);
        await expectNoViolations(page, 'second step');
        await page.fill('#code', '000');
        await submit(page);
        expect(await page.locator('.error-summary').count()).toBe(1);
        await expectNoViolations(page, 'second step with an error');
        await page.fill('#code', await freshTotpCode(adminSecret));
        await submit(page);
        expect(new URL(page.url()).pathname).toBe(`/${locale}/staff`);
        await expectNoViolations(page, 'staff home');
        await page.goto(`${site.origin}/${locale}/staff/account`, { waitUntil: 'load' });
        await expectNoViolations(page, 'account');
        await page.goto(`${site.origin}/${locale}/staff/account/due-fattori`, { waitUntil: 'load' });
        await expectNoViolations(page, 'two-step verification, on');
        await signOut(page);
        await expectNoViolations(page, 'signed out');

        // A desk operator has no TOTP: the set-up page, with and without an error, and the account page with errors.
        await signIn(page, locale, site.app.accounts.desk_operator);
        await page.goto(`${site.origin}/${locale}/staff/account/due-fattori`, { waitUntil: 'load' });
        await expectNoViolations(page, 'two-step verification, set-up');
        await page.fill('#code', '12');
        await submit(page);
        expect(await page.locator('.error-summary').count()).toBe(1);
        await expectNoViolations(page, 'two-step verification, set-up with an error');
        if (locale === 'en') {
          // The last run: the operator turns TOTP on, and the recovery codes page is checked too.
          const secret = new URL((await page.locator('a[href^="otpauth://"]').getAttribute('href'))!).searchParams.get(
            'secret',
          )!;
          await page.fill('#code', await freshTotpCode(secret));
          await submit(page);
          expect(await page.locator('ol.recovery-codes li').count()).toBe(10);
          await expectNoViolations(page, 'recovery codes');
        }
        await page.goto(`${site.origin}/${locale}/staff/account`, { waitUntil: 'load' });
        await page.fill('#current', 'wrong');
        await page.fill('#password', 'short');
        await submit(page);
        expect(await page.locator('.error-summary').count()).toBe(1);
        await expectNoViolations(page, 'account with errors');
        await signOut(page);
      });
      // Each run signs the admin in with a TOTP code the server has not seen: it may wait up to 30 s
      // for the next step (a code is accepted once), on top of the axe runs.
    },
    120_000,
  );
});
