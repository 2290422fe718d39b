// The page a family's closed-day link opens (issue #15), in Chromium: axe finds no WCAG 2.1 A/AA
// violation in Arabic (right to left) and Italian, with the waiting-list form's error too; at 320 CSS
// px the page needs no horizontal scroll; with JavaScript off the waiting list is joined in one step.
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server.ts';
import { closedDayTokens } from '../support/closed-day.ts';
import { browserSite, expectNoViolations, follow, LIMITS_NOT_REACHED, text } from './support.ts';

const tokens: string[] = [];
const site = browserSite(() =>
  startServer(LIMITS_NOT_REACHED, {
    async prepare(db) {
      tokens.push(...(await closedDayTokens(db, 2)));
    },
  }),
);
const pageOf = (locale: string, token: string) => `${site.origin}/${locale}/prenotazione/gestisci?token=${token}`;

describe("the closed day's link", () => {
  it.each(['ar', 'it'])('axe: the choices in /%s, and the days refused', async (locale) => {
    await site.withPage({ bypassCSP: true }, async (page) => {
      await page.goto(pageOf(locale, tokens[0]!), { waitUntil: 'load' });
      expect((await page.locator('h1').innerText()).trim()).toBe(text(locale, 'closeDay.page.title'));
      await expectNoViolations(page, `closed-day link (${locale})`);
      await page.fill('#fromDay', '2030-01-10');
      await page.fill('#toDay', '2030-01-01');
      await follow(page, page.getByRole('button', { name: text(locale, 'closeDay.page.waitSubmit'), exact: true }));
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectNoViolations(page, `closed-day link, days refused (${locale})`);
    });
  });

  it('fits 320 CSS px in Arabic, and joins the list in one step with JavaScript off', async () => {
    await site.withPage({ javaScriptEnabled: false, viewport: { width: 320, height: 640 } }, async (page) => {
      await page.goto(pageOf('ar', tokens[1]!), { waitUntil: 'load' });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      await follow(page, page.getByRole('button', { name: text('ar', 'closeDay.page.waitSubmit'), exact: true }));
      expect(new URL(page.url()).pathname).toBe('/ar/lista-attesa');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    });
  });
});
