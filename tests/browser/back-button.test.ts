// The phone's Back button in the booking flow, for real in Chromium, with JavaScript on and off:
// forward through every step, Back through every step, forward again, switch language mid-flow,
// confirm, and Back from the confirmation. It fails on Chromium's "Confirm Form Resubmission"
// (ERR_CACHE_MISS) page, or when a step shows an answer lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../support/server.ts';
import { LIMITS_NOT_REACHED, follow, h1, launchBrowser, text } from './support.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer(LIMITS_NOT_REACHED);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Back or forward, as the phone's buttons do; a resubmission page or net error fails the test. */
async function travel(page: Page, direction: 'back' | 'forward'): Promise<void> {
  let failure = '';
  try {
    await (direction === 'back' ? page.goBack() : page.goForward());
  } catch (error) {
    failure = String(error);
  }
  const shown = await page.content();
  expect(failure, `${direction} to ${page.url()}`).not.toMatch(/ERR_CACHE_MISS|net::/);
  expect(shown, `${direction} to ${page.url()}`).not.toMatch(/ERR_CACHE_MISS|Confirm Form Resubmission|Conferma reinvio modulo/);
}

async function continueTo(page: Page, locale: string, title: string): Promise<void> {
  await follow(page, page.getByRole('button', { name: text(locale, 'booking.continue'), exact: true }));
  expect(await h1(page)).toBe(text(locale, title));
}

const person = { firstName: 'Nadia', phone: '333 606 7070', note: 'Per il doposcuola di mio figlio.' };

async function expectTime(page: Page, slot: string) {
  expect(await h1(page)).toBe(text('it', 'booking.time.title'));
  expect(await page.locator(`input[name="slot"][value="${slot}"]`).isChecked()).toBe(true);
}
async function expectDetails(page: Page, locale = 'it') {
  expect(await h1(page)).toBe(text(locale, 'booking.details.title'));
  expect(await page.locator('#note').inputValue()).toBe(person.note);
  expect(await page.locator('#topic-1').isChecked()).toBe(true);
}
async function expectContact(page: Page, locale = 'it') {
  expect(await h1(page)).toBe(text(locale, 'booking.contact.title'));
  expect(await page.locator('#firstName').inputValue()).toBe(person.firstName);
  expect(await page.locator('#phone').inputValue()).toBe(person.phone);
  expect(await page.locator('#privacyAccepted').isChecked()).toBe(true);
}
async function expectCheck(page: Page, locale = 'it') {
  expect(await h1(page)).toBe(text(locale, 'booking.check.title'));
  const main = await page.locator('main').innerText();
  for (const answer of [person.firstName, person.phone, person.note]) expect(main).toContain(answer);
}

describe('the Back button in the booking flow', () => {
  it.each([true, false])('keeps every answer, never asks to resend a form (JavaScript %s)', async (javaScriptEnabled) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    try {
      await page.goto(`${server.origin}/it/sportelli/villapizzone/prenota`);
      const choice = page.locator('input[name="slot"]').nth(javaScriptEnabled ? 1 : 2);
      const slot = (await choice.getAttribute('value'))!;
      await choice.check();
      await continueTo(page, 'it', 'booking.details.title');
      await page.locator('#topic-1').check();
      await page.fill('#note', person.note);
      await continueTo(page, 'it', 'booking.contact.title');
      await page.fill('#firstName', person.firstName);
      await page.fill('#phone', person.phone);
      await page.check('#privacyAccepted');
      await continueTo(page, 'it', 'booking.check.title');
      await expectCheck(page);

      // Back through every step, then forward again.
      await travel(page, 'back');
      await expectContact(page);
      await travel(page, 'back');
      await expectDetails(page);
      await travel(page, 'back');
      await expectTime(page, slot);
      await travel(page, 'forward');
      await expectDetails(page);
      await travel(page, 'forward');
      await expectContact(page);
      await travel(page, 'forward');
      await expectCheck(page);

      // A reload of a step is a GET too: nothing to resend.
      await travel(page, 'back');
      await page.reload();
      await expectContact(page);

      // The language switcher, mid-flow: the same step in Arabic, answers kept.
      const arabic = (await page.locator('a[hreflang="ar"]').first().getAttribute('href'))!;
      expect(arabic).toBe('/ar/sportelli/villapizzone/prenota/contatti');
      await page.goto(server.origin + arabic);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      await expectContact(page, 'ar');
      await continueTo(page, 'ar', 'booking.check.title');
      await expectCheck(page, 'ar');
      await travel(page, 'back');
      await expectContact(page, 'ar');
      await travel(page, 'forward');

      await Promise.all([page.waitForURL(/\/prenota\/confermata\?c=/), page.locator('#confirm').click()]);
      expect(await h1(page)).toBe(text('ar', 'booking.done.title'));
      const reference = (await page.locator('.panel .reference').innerText()).trim();
      // Back from the confirmation: no resubmission, no second booking, and the answers are gone.
      await travel(page, 'back');
      expect(await page.locator('main').innerText()).not.toContain(person.firstName);
      await travel(page, 'forward');
      expect((await page.locator('.panel .reference').innerText()).trim()).toBe(reference);
    } finally {
      await context.close();
    }
  });

  it('shows the errors of a step after Back and a reload, without resending (JavaScript off)', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${server.origin}/it/sportelli/gallaratese/prenota`);
      await page.locator('input[name="slot"]').first().check();
      await continueTo(page, 'it', 'booking.details.title');
      await continueTo(page, 'it', 'booking.contact.title');
      await page.fill('#phone', '12ab');
      await follow(page, page.getByRole('button', { name: text('it', 'booking.continue'), exact: true }));
      expect(await page.locator('.error-summary li').count()).toBeGreaterThan(1);
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      await page.reload();
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      // Back: first the same step as it was before sending (same address, now with what was typed), then the one before.
      await travel(page, 'back');
      expect(await h1(page)).toBe(text('it', 'booking.contact.title'));
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      await travel(page, 'back');
      expect(await h1(page)).toBe(text('it', 'booking.details.title'));
      await travel(page, 'forward');
      await travel(page, 'forward');
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
    } finally {
      await context.close();
    }
  });
});
