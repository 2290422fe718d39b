// The staff area in Chromium: signing in through the sign-in page and passing an admin's second
// step, shared by the staff browser tests (the servers with demo accounts come from
// tests/support/staff-http.ts, as for the HTTP tests).
import { expect } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { DemoAccount } from '#/features/staff-accounts/demo.ts';
import { follow } from './support.ts';

/** The page's own form's button, not the sign-out button a signed-in page has above it. */
export const SUBMIT = 'main form:not([action*="_action=staffAccounts.signOut"]) button[type="submit"]';

/** Fills in and sends the sign-in form; returns once the answer (the next step, or the form again) has loaded. */
export async function signIn(
  page: Page,
  origin: string,
  account: DemoAccount,
  options: { locale?: string; password?: string } = {},
): Promise<void> {
  await page.goto(`${origin}/${options.locale ?? 'it'}/staff/accesso`, { waitUntil: 'load' });
  await page.fill('#email', account.email);
  await page.fill('#password', options.password ?? account.password);
  await follow(page, SUBMIT);
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** Each test file's signed-in browser states, by account (the file's `site` is the key). */
const signedInStates = new WeakMap<object, Map<string, Promise<StorageState>>>();

/**
 * A browser context signed in with `account`, and a page in it: every page opened in it is that
 * person's. The file's first for an account signs in through the sign-in page (the sign-in page must
 * not come back: a refused password would), then takes `secondStep` if given (an admin's); the
 * page is left where that ended. The others start from the state that sign-in left (its session
 * cookie), as a browser that stayed signed in, on a blank page: the same session, without the
 * password, the second step and their page loads again (nor a wait for a TOTP step). Tests of
 * signing in itself sign in by hand (`signIn`).
 */
export async function signedInContext(
  site: { browser: Browser; origin: string },
  account: DemoAccount,
  options: BrowserContextOptions,
  secondStep?: (page: Page) => Promise<unknown>,
): Promise<{ context: BrowserContext; page: Page }> {
  let states = signedInStates.get(site);
  if (!states) signedInStates.set(site, (states = new Map()));
  const saved = states.get(account.email);
  if (saved) {
    const context = await site.browser.newContext({ ...options, storageState: await saved });
    return { context, page: await context.newPage() };
  }
  const context = await site.browser.newContext(options);
  const page = await context.newPage();
  const state = (async () => {
    await signIn(page, site.origin, account);
    expect(new URL(page.url()).pathname).not.toMatch(/\/accesso$/);
    await secondStep?.(page);
    return context.storageState();
  })();
  states.set(account.email, state);
  // A sign-in that failed is not kept: the next test tries again.
  await state.catch((error: unknown) => {
    states.delete(account.email);
    throw error;
  });
  return { context, page };
}

const lastStep = new Map<string, number>();

/**
 * A TOTP code the server has not accepted yet. It accepts each code once (the step of the last one
 * is kept) and the step before the current one, the current one or the next: a test signing in
 * again within 30 s gets the next step's code, and waits only when all three are spent. The step
 * before is used only with 5 s or more left in the current step, so that it is still current - 1
 * when the server reads it (a test otherwise waited 30 s more, twice in staff-auth).
 */
export async function freshTotpCode(secret: string): Promise<string> {
  for (;;) {
    const now = Date.now();
    const current = Math.floor(now / 30_000);
    const earliest = (current + 1) * 30_000 - now >= 5_000 ? current - 1 : current;
    const step = Math.max(earliest, (lastStep.get(secret) ?? -Infinity) + 1);
    if (step <= current + 1) {
      lastStep.set(secret, step);
      return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
    }
    await new Promise((r) => setTimeout(r, (step - 1) * 30_000 - Date.now() + 200));
  }
}

/**
 * An admin's second step, right after the password: with TOTP already on (`secret` from an earlier
 * set-up) the code; otherwise its set-up, which every admin must go through. Returns the secret.
 */
export async function passSecondFactor(page: Page, origin: string, secret?: string): Promise<string> {
  if (secret !== undefined && new URL(page.url()).pathname.endsWith('/verifica')) {
    await page.fill('#code', await freshTotpCode(secret));
    await follow(page, SUBMIT);
    return secret;
  }
  if (!page.url().endsWith('/account/due-fattori'))
    await page.goto(`${origin}/it/staff/account/due-fattori`, { waitUntil: 'load' });
  const newSecret = (await page.textContent('#secret'))!.replace(/\s+/g, '');
  await page.fill('#code', await freshTotpCode(newSecret));
  await follow(page, SUBMIT);
  expect(await page.locator('.recovery-codes').count()).toBe(1);
  return newSecret;
}
