// The staff screens of recurring activities in Chromium (issue #13), with JavaScript off on a
// 320 px phone, in the staff area's Italian and English: a coordinator makes a weekly activity from
// the form (refused first without an end, the answers kept), publishes all its dates, cancels one
// and moves another (the <details> opens without a script); the staff list shows it once. Every page
// fits 320 px without horizontal scroll, and axe finds nothing on each (seen again with scripts on).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { browserSite, expectNoViolations, follow, text } from './support.ts';

const fx = { session: '' };
const site = browserSite(() =>
  startServer(
    {},
    {
      async prepare(db) {
        const id = await createUser(db, {
          email: 'coord8@comune.example',
          displayName: 'Coordinatrice',
          role: 'coordinator',
          municipi: [8],
        });
        fx.session = generateSessionToken();
        await createSession(db, fx.session, id, { twoFactorVerified: true });
      },
    },
  ),
);
const PHONE = { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// One tab goes from page to page (a new tab is a new renderer process).
let axePage: Page;
beforeAll(async () => {
  const axeContext = await site.browser.newContext({ ...PHONE, bypassCSP: true });
  await axeContext.addCookies([{ name: 'qubi_session', value: fx.session, url: site.origin, httpOnly: true }]);
  axePage = await axeContext.newPage();
});

/** The page as the visitor saw it fits 320 px, and axe (in its own context, scripts on) finds nothing. */
async function check(page: Page, what: string) {
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(width, `${what}: no horizontal scroll at 320 px`).toEqual([320, 320]);
  await axePage.goto(page.url(), { waitUntil: 'load' });
  await expectNoViolations(axePage, what);
}

describe('a recurring activity made and changed in the staff area, JavaScript off, 320 px', () => {
  it.each(['it', 'en'])('/%s: create, publish, cancel one date, move another', async (locale) => {
    await site.withPage({ ...PHONE, javaScriptEnabled: false }, async (page, context) => {
      await context.addCookies([{ name: 'qubi_session', value: fx.session, url: site.origin, httpOnly: true }]);
      await page.goto(`${site.origin}/${locale}/staff/eventi`, { waitUntil: 'load' });
      await follow(page, `a[href="/${locale}/staff/eventi/serie/nuova"]`);
      await check(page, 'new series');
      const title = `Laboratorio ${locale} del giovedì`;
      await page.fill('#title-it', title);
      await page.fill('#summary-it', 'Colori e carta');
      await page.fill('#description-it', 'Un laboratorio per bambine e bambini.');
      await page.fill('#venue', 'Spazio QuBì Quarto Oggiaro');
      await page.fill('#address', 'Via Pascarella 5');
      await page.fill('#startDate', '2027-02-04');
      await page.fill('#startTime', '16:30');
      await page.fill('#endTime', '18:00');
      await page.fill('#seats', '10');
      await page.check('#frequency');
      // No end: refused, the answers kept, the error named.
      await follow(page, '#save');
      const error = text(locale, 'staff.series.error.endRequired');
      expect(await page.locator('.error-summary').innerText()).toContain(error);
      expect(await page.inputValue('#venue')).toBe('Spazio QuBì Quarto Oggiaro');
      await check(page, 'new series, refused');
      await page.fill('#count', '5');
      await follow(page, '#save');
      expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/${locale}/staff/eventi/serie/\\d+$`));
      expect(await page.locator('[role="status"]').innerText()).toBe(text(locale, 'staff.series.done.created'));
      expect(await page.locator('ul.dates > li').count()).toBe(5);
      await check(page, 'series page');

      await follow(page, page.getByRole('button', { name: text(locale, 'staff.series.action.publish') }));
      expect(await page.locator('[role="status"]').innerText()).toBe(text(locale, 'staff.series.done.published'));

      // Cancel the second date (11 February 2027).
      await follow(page, '#d-2027-02-11 form[action*="cancelSeriesDate"] button');
      expect(await page.locator('[role="status"]').innerText()).toBe(text(locale, 'staff.series.done.dateCancelled'));
      expect(await page.locator('#d-2027-02-11').innerText()).toContain(text(locale, 'staff.event.status.cancelled'));

      // Move the third to the Friday, at 10:00, through its <details> (no script needed to open it).
      await page.click('#d-2027-02-18 summary');
      await page.fill('#toDate-2027-02-18', '2027-02-19');
      await page.fill('#startTime-2027-02-18', '25:00');
      await follow(page, '#d-2027-02-18 form[action*="moveSeriesDate"] button');
      expect(await page.locator('#startTime-2027-02-18').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#d-2027-02-18 details').getAttribute('open')).not.toBeNull();
      await check(page, 'series page, a move refused');
      await page.fill('#startTime-2027-02-18', '10:00');
      await page.fill('#endTime-2027-02-18', '11:30');
      await follow(page, '#d-2027-02-18 form[action*="moveSeriesDate"] button');
      expect(await page.locator('[role="status"]').innerText()).toBe(text(locale, 'staff.series.done.dateMoved'));
      expect(await page.locator('#d-2027-02-18 time').getAttribute('datetime')).toBe('2027-02-19T09:00:00.000Z');
      await check(page, 'series page after the changes');

      // The list: the activity once.
      await page.goto(`${site.origin}/${locale}/staff/eventi`, { waitUntil: 'load' });
      expect(await page.locator(`main a:text-is("${title}")`).count()).toBe(1);
      await check(page, 'events list');
    });
  });
});
