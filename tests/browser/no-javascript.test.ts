// Without JavaScript: every page type renders, the desks filter works as a plain form, the
// calendar download works, and content pages load no script at all; the home page only its
// "nearest desk" island (issue #14), from the site itself.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite, CONTENT_PAGES, firstEventPath, pagesFor, resolvePath } from './support.ts';

let context: BrowserContext;
// One tab goes from page to page, test after test: a new tab is a new renderer process (about 0.2 s
// of CPU each).
let page: Page;

const site = browserSite(() => sharedServer());
beforeAll(async () => {
  context = await site.browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  page = await context.newPage();
});

describe('every page type renders its heading without JavaScript', () => {
  // The two locales side by side (`concurrent`), a tab each in a context like the file's.
  describe.each(['it', 'ar'])('%s', { concurrent: true }, (tabLocale) => {
    let tab: Page;
    beforeAll(async () => {
      tab = await (await site.browser.newContext({ javaScriptEnabled: false })).newPage();
    });

    it.each(pagesFor([tabLocale]))('/%s %s', { concurrent: false }, async (locale, spec) => {
      const path = await resolvePath(site.origin, locale, spec);
      const response = await tab.goto(site.origin + path, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(spec.status);
      const h1 = tab.locator('h1');
      expect(await h1.count()).toBe(1);
      expect(await h1.isVisible()).toBe(true);
      expect((await h1.innerText()).trim()).not.toBe('');
    });
  });
});

describe('the desks filter is a plain form', () => {
  it.each(['it', 'ar'])('/%s/sportelli: choosing Municipio 8 lists its three desks', async (locale) => {
    const M8 = ['Gallaratese', 'Quarto Oggiaro', 'Villapizzone'];
    // Each listed desk, named by the Municipio 8 area its heading mentions (or its full heading).
    const deskNames = async () =>
      (await page.locator('main ul.grid > li').locator('h2, h3').allInnerTexts())
        .map((heading) => M8.find((area) => heading.includes(area)) ?? heading.trim())
        .sort();
    const choose = async (municipio: string) => {
      await page.selectOption('select[name="municipio"]', municipio);
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get('municipio') === municipio),
        page.locator('form[role="search"] button[type="submit"]').click(),
      ]);
      const url = new URL(page.url());
      expect(url.pathname).toBe(`/${locale}/sportelli`);
      expect(url.searchParams.get('municipio')).toBe(municipio);
      // The choice survives the round trip.
      expect(await page.locator('select[name="municipio"]').inputValue()).toBe(municipio);
    };
    await page.goto(`${site.origin}/${locale}/sportelli`, { waitUntil: 'load' });
    expect(await deskNames()).toEqual(expect.arrayContaining(M8));

    await choose('8');
    expect(await deskNames()).toEqual(M8);

    // And it really filters: a municipio without desks lists none.
    await choose('1');
    expect(await deskNames()).toEqual([]);
  });
});

describe('"add to calendar" works without JavaScript', () => {
  it.each(['it', 'ar'])('/%s event page', async (locale) => {
    const path = await firstEventPath(site.origin, locale);
    await page.goto(site.origin + path, { waitUntil: 'load' });
    const link = page.locator('main a[href$=".ics"]').first();
    expect(await link.count()).toBe(1);
    const href = await link.getAttribute('href');
    expect(href).toBeTruthy();
    const target = new URL(href!, page.url());
    expect(target.origin).toBe(site.origin);

    const response = await context.request.get(target.href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/calendar/);
    const body = await response.text();
    expect(body.startsWith('BEGIN:VCALENDAR')).toBe(true);
    expect(body).toContain('BEGIN:VEVENT');

    // Clicking it really downloads the file.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.ics$/);
    const file = await download.path();
    expect((await readFile(file, 'utf8')).startsWith('BEGIN:VCALENDAR')).toBe(true);
  });
});

/**
 * A tab with JavaScript on (so that a script a page asks for would really load) and its caches off,
 * as DevTools' "Disable cache" has them: the renderer's memory cache emptied and bypassed, the HTTP
 * cache not used, so every script a page asks for is fetched and seen, however many pages the tab
 * loaded before (a script served from memory would fire no response event).
 */
let scripted: Page | undefined;
async function uncachedTab(): Promise<Page> {
  if (scripted) return scripted;
  const tab = await (await site.browser.newContext()).newPage();
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return (scripted = tab);
}

/** The scripts a page asks for, with JavaScript on. */
async function scriptsOf(path: string) {
  const page = await uncachedTab();
  const scripts: string[] = [];
  const all: string[] = [];
  const seen = (r: Response) => {
    all.push(r.url());
    if (r.request().resourceType() === 'script') scripts.push(r.url());
  };
  page.on('response', seen);
  try {
    const response = await page.goto(site.origin + path, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(all.length).toBeGreaterThan(0);
    // Inline scripts other than JSON data blocks.
    const inline = await page.locator('script:not([type="application/ld+json"]):not([src])').count();
    return { scripts, inline };
  } finally {
    page.off('response', seen);
  }
}

describe('content pages load no JavaScript', () => {
  const paths = ['it', 'ar'].flatMap((l) => CONTENT_PAGES.map((p) => `/${l}/${p}`));
  it.each(paths)('%s', async (path) => {
    expect(await scriptsOf(path)).toEqual({ scripts: [], inline: 0 });
  });
});

describe('the home page loads only its "nearest desk" island', () => {
  it.each(['/it', '/ar'])('%s', async (path) => {
    const { scripts } = await scriptsOf(path);
    expect(scripts.some((s) => /\/_astro\/NearestDesksHome\.[\w-]+\.js$/.test(s))).toBe(true);
    for (const s of scripts) expect(s.startsWith(`${site.origin}/_astro/`), s).toBe(true);
  });
});
