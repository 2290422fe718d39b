// Accessibility: axe-core (WCAG 2.0/2.1 A and AA) finds nothing on any page type in Italian,
// English, Arabic, Tagalog, Ukrainian and Bengali; the skip link is the first thing the keyboard
// reaches; Arabic is RTL.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { axeViolations, browserSite, pagesFor, resolvePath } from './support.ts';

// Tagalog, Ukrainian and Bengali too: Latin, Cyrillic and Bengali script in the system's fonts.
const LOCALES = ['it', 'en', 'ar', 'tl', 'uk', 'bn'] as const;

// axe-core is injected as an inline script, which the pages' Content-Security-Policy (rightly)
// refuses: only this context bypasses CSP. The keyboard and direction checks run with CSP on.
let axeContext: BrowserContext;
let context: BrowserContext;

const site = browserSite(() => startServer());
beforeAll(async () => {
  axeContext = await site.browser.newContext({ bypassCSP: true });
  context = await site.browser.newContext();
});

describe('axe finds no WCAG 2.1 A/AA violation', () => {
  it.each(pagesFor(LOCALES))('/%s %s', async (locale, spec) => {
    const path = await resolvePath(site.origin, locale, spec);
    const page = await axeContext.newPage();
    try {
      const response = await page.goto(site.origin + path, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(spec.status);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('the skip link is the first focusable element and leads to the main content', () => {
  it.each(pagesFor(LOCALES))('/%s %s', async (locale, spec) => {
    const path = await resolvePath(site.origin, locale, spec);
    const page = await context.newPage();
    try {
      await page.goto(site.origin + path, { waitUntil: 'load' });
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
    } finally {
      await page.close();
    }
  });
});

describe('text direction', () => {
  it.each(pagesFor(LOCALES))('/%s %s', async (locale, spec) => {
    const path = await resolvePath(site.origin, locale, spec);
    const page = await context.newPage();
    try {
      await page.goto(site.origin + path, { waitUntil: 'load' });
      const html = await page.evaluate(() => ({
        lang: document.documentElement.getAttribute('lang'),
        dir: document.documentElement.getAttribute('dir'),
        computed: getComputedStyle(document.body).direction,
      }));
      if (locale === 'ar') {
        expect(html).toEqual({ lang: 'ar', dir: 'rtl', computed: 'rtl' });
      } else {
        expect(html.lang).toBe(locale);
        expect(html.dir).not.toBe('rtl');
        expect(html.computed).toBe('ltr');
      }
    } finally {
      await page.close();
    }
  });
});
