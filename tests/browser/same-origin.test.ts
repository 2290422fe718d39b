// With JavaScript on, every page type only talks to its own origin (no CDN, font service or
// tracker) and logs no error to the console.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite, pagesFor, resolvePath } from './support.ts';

let context: BrowserContext;

const site = browserSite(() => sharedServer());
beforeAll(async () => {
  context = await site.browser.newContext({ javaScriptEnabled: true });
});

describe('every request stays on the site and nothing errors', () => {
  it.each(pagesFor(['it', 'ar']))('/%s %s', async (locale, spec) => {
    const path = await resolvePath(site.origin, locale, spec);
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      // The 404 page answers 404 on purpose; chromium logs that as a failed resource load.
      if (spec.status === 404 && /status of 404/.test(text) && m.location().url === site.origin + path) return;
      errors.push(`console: ${text} (${m.location().url}:${m.location().lineNumber})`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      const response = await page.goto(site.origin + path, { waitUntil: 'networkidle' });
      expect(response?.status(), path).toBe(spec.status);
      expect(requests.length).toBeGreaterThan(0);
      const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== site.origin);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
