// Recurring activities and itineraries in Chromium (issue #13): the events list's filters work as a
// plain GET form with JavaScript off (in Arabic and Italian), keep their choices and list each
// activity once; the 17 December party's page shows its two stops at 320 px with no horizontal
// scroll; both pages are axe clean.
import { describe, expect, it } from 'vitest';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite, expectNoViolations, follow } from './support.ts';

const site = browserSite(() => sharedServer());
const PHONE = { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/**
 * axe runs as a script: the page the no-JavaScript visitor saw, opened again with scripts on (and
 * the site's CSP bypassed for axe's own inline script, as tests/browser/accessibility.test.ts does).
 */
async function expectAxeClean(url: string, options: Parameters<typeof site.withPage>[0], what: string) {
  await site.withPage({ ...options, bypassCSP: true }, async (page) => {
    await page.goto(url, { waitUntil: 'load' });
    await expectNoViolations(page, what);
  });
}

describe('the events list filters without JavaScript', () => {
  it.each(['ar', 'it'])('/%s/eventi: age 0–3 in Municipio 8 lists the activities for the youngest', async (locale) => {
    await site.withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${site.origin}/${locale}/eventi`, { waitUntil: 'load' });
      await page.selectOption('select[name="municipio"]', '8');
      await page.selectOption('select[name="eta"]', '0-3');
      await follow(page, page.locator('form[role="search"] button[type="submit"]'));
      const url = new URL(page.url());
      expect(url.pathname).toBe(`/${locale}/eventi`);
      expect(url.searchParams.get('municipio')).toBe('8');
      expect(url.searchParams.get('eta')).toBe('0-3');
      // The choices survive the round trip.
      expect(await page.locator('select[name="municipio"]').inputValue()).toBe('8');
      expect(await page.locator('select[name="eta"]').inputValue()).toBe('0-3');
      const links = await page
        .locator('main ul.grid > li h2 a')
        .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname.split('/').pop()!));
      // Municipio 8's activities for the youngest, each once; not the library (3–11) nor the parties elsewhere.
      expect(links.filter((s) => s.startsWith('spazio-mamma-bambino-quarto-oggiaro-'))).toHaveLength(1);
      expect(links.filter((s) => s.startsWith('laboratori-culturali-0-6-gallaratese-'))).toHaveLength(1);
      expect(links.some((s) => s.startsWith('biblioteca-di-quartiere-'))).toBe(false);
      expect(links.some((s) => s.startsWith('festa-di-natale-'))).toBe(false);

      // "This week only" narrows further: every date listed then starts before next Monday.
      await page.check('input[name="settimana"]');
      await follow(page, page.locator('form[role="search"] button[type="submit"]'));
      expect(new URL(page.url()).searchParams.get('settimana')).toBe('1');
      expect(await page.locator('input[name="settimana"]').isChecked()).toBe(true);
      const starts = await page
        .locator('main ul.grid > li time')
        .evaluateAll((ts) => ts.map((t) => (t as HTMLTimeElement).dateTime));
      const nextMonday = new Date();
      nextMonday.setUTCDate(nextMonday.getUTCDate() + 8);
      for (const start of starts) expect(new Date(start).getTime()).toBeLessThan(nextMonday.getTime());
      await expectAxeClean(page.url(), {}, `${locale} events list, filtered`);
    });
  });
});

describe('an event with stops on a phone', () => {
  it.each(['ar', 'it'])(
    '/%s: the 17 December party shows its two stops at 320 px, no horizontal scroll',
    async (locale) => {
      await site.withPage({ ...PHONE, javaScriptEnabled: false }, async (page) => {
        const fits = () =>
          page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && window.innerWidth === 320);
        await page.goto(`${site.origin}/${locale}/eventi?municipio=5`, { waitUntil: 'load' });
        // The list with its filter form fits the phone too.
        expect(await fits()).toBe(true);
        await follow(page, page.locator('main ul.grid > li h2 a').first());
        expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/${locale}/eventi/festa-di-natale-gratosoglio-`));
        const stops = page.locator('ol.stops > li');
        expect(await stops.count()).toBe(2);
        expect(await stops.nth(0).innerText()).toContain('16:30');
        expect(await stops.nth(0).innerText()).toContain('Agorà delle Torri Bianche');
        expect(await stops.nth(1).innerText()).toContain('16:45');
        expect(await stops.nth(1).innerText()).toContain('Comunità Oklahoma');
        expect(await stops.nth(1).isVisible()).toBe(true);
        const width = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
        }));
        expect(width.inner).toBe(320);
        expect(width.scroll).toBeLessThanOrEqual(width.inner);
        await expectAxeClean(page.url(), PHONE, `${locale} event with stops`);
      });
    },
  );
});
