// With JavaScript on, every page type only talks to its own origin (no CDN, font service or
// tracker) and logs no error to the console.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchBrowser, pagesFor, resolvePath } from './support.ts';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ javaScriptEnabled: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('every request stays on the site and nothing errors', () => {
  it.each(pagesFor(['it', 'ar']))('/%s %s', async (locale, spec) => {
    const path = await resolvePath(server.origin, locale, spec);
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      // The 404 page answers 404 on purpose; chromium logs that as a failed resource load.
      if (spec.status === 404 && /status of 404/.test(text) && m.location().url === server.origin + path) return;
      errors.push(`console: ${text} (${m.location().url}:${m.location().lineNumber})`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      const response = await page.goto(server.origin + path, { waitUntil: 'networkidle' });
      expect(response?.status(), path).toBe(spec.status);
      expect(requests.length).toBeGreaterThan(0);
      const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== server.origin);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
