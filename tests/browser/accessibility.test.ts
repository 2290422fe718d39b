// Accessibility: axe-core (WCAG 2.0/2.1 A and AA) finds nothing on any page type in every locale;
// the skip link is the first thing the keyboard reaches; Arabic is RTL.
//
// One page load per (locale, page type) serves its three tests, run in order on it: the direction
// (read only), axe (reads the page), then the skip link (moves the focus). A tab per locale goes from
// page to page in a context of its own (a new tab is a new renderer process: about 0.2 s of CPU
// each), and the locales run side by side (`concurrent`, at most the config's `maxConcurrency` at a
// time): while one tab waits for the server, another's axe runs. The page keeps its
// Content-Security-Policy: axe is evaluated by the test driver (tests/browser/support.ts,
// axeViolations), which the policy does not govern, not added as an inline script it would refuse.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sharedServer } from '../support/shared-server.ts';
import { LOCALES } from '#/lib/locales.ts';
import { axeViolations, browserSite, pagesFor, resolvePath } from './support.ts';

const site = browserSite(() => sharedServer());

describe.each(LOCALES)('%s', { concurrent: true }, (locale) => {
  let page: Page;
  beforeAll(async () => {
    page = await (await site.browser.newContext()).newPage();
  });

  // In order within the locale (its one tab): not concurrent.
  describe.each(pagesFor([locale]))('/%s %s', { concurrent: false }, (_, spec) => {
    let path: string;
    let status: number | undefined;
    beforeAll(async () => {
      path = await resolvePath(site.origin, locale, spec);
      status = (await page.goto(site.origin + path, { waitUntil: 'load' }))?.status();
    });

    it('text direction', async () => {
      const html = await page.evaluate(() => ({
        lang: document.documentElement.getAttribute('lang'),
        dir: document.documentElement.getAttribute('dir'),
        computed: getComputedStyle(document.body).direction,
      }));
      if (locale === 'ar') {
        expect(html).toEqual({ lang: 'ar', dir: 'rtl', computed: 'rtl' });
      } else {
        expect(html.lang).toBe(locale === 'zh' ? 'zh-Hans' : locale);
        expect(html.dir).not.toBe('rtl');
        expect(html.computed).toBe('ltr');
      }
    });

    it('axe finds no WCAG 2.1 A/AA violation', async () => {
      expect(status, path).toBe(spec.status);
      expect(await axeViolations(page)).toEqual([]);
    });

    it('the skip link is the first focusable element and leads to the main content', async () => {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        return el ? { tag: el.tagName, href: el.getAttribute('href'), text: el.textContent?.trim() ?? '' } : null;
      });
      expect(focused?.tag).toBe('A');
      expect(focused?.href).toBe('#main');
      expect(focused?.text).not.toBe('');
      // The link is visible once focused, and its target exists and can take the focus.
      expect(await page.locator('a[href="#main"]').first().isVisible()).toBe(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    });
  });
});
