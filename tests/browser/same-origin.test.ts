// With JavaScript on, every page type only talks to its own origin (no CDN, font service or
// tracker) and logs no error to the console.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleMessage, Page, Request } from 'playwright-core';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite, pagesFor, resolvePath } from './support.ts';

// A tab per locale goes from page to page (a new tab is a new renderer process: about 0.2 s of CPU
// each); each test listens to it only while its own page loads, and the page is idle before the next
// test. The two locales run side by side (`concurrent`): most of a test is the half second of network
// quiet that `networkidle` waits for.
const site = browserSite(() => sharedServer());

describe('every request stays on the site and nothing errors', () => {
  describe.each(['it', 'ar'])('%s', { concurrent: true }, (tabLocale) => {
    let page: Page;
    beforeAll(async () => {
      page = await (await site.browser.newContext({ javaScriptEnabled: true })).newPage();
    });

    it.each(pagesFor([tabLocale]))('/%s %s', { concurrent: false }, async (locale, spec) => {
      const path = await resolvePath(site.origin, locale, spec);
      const requests: string[] = [];
      const errors: string[] = [];
      const onRequest = (r: Request) => requests.push(r.url());
      const onConsole = (m: ConsoleMessage) => {
        if (m.type() !== 'error') return;
        const text = m.text();
        // The 404 page answers 404 on purpose; chromium logs that as a failed resource load.
        if (spec.status === 404 && /status of 404/.test(text) && m.location().url === site.origin + path) return;
        errors.push(`console: ${text} (${m.location().url}:${m.location().lineNumber})`);
      };
      const onPageError = (e: Error) => errors.push(`pageerror: ${e.message}`);
      page.on('request', onRequest);
      page.on('console', onConsole);
      page.on('pageerror', onPageError);
      try {
        const response = await page.goto(site.origin + path, { waitUntil: 'networkidle' });
        expect(response?.status(), path).toBe(spec.status);
        expect(requests.length).toBeGreaterThan(0);
        const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== site.origin);
        expect(foreign).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        page.off('request', onRequest);
        page.off('console', onConsole);
        page.off('pageerror', onPageError);
      }
    });
  });
});
