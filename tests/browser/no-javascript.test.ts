// Without JavaScript: every page type renders, the desks filter works as a plain form, the
// calendar download works, and content pages load no script at all; the home page only its
// "nearest desk" island (issue #14), from the site itself.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite, CONTENT_PAGES, firstEventPath, pagesFor, resolvePath } from './support.ts';

let context: BrowserContext;

const site = browserSite(() => sharedServer());
beforeAll(async () => {
  context = await site.browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
});

describe('every page type renders its heading without JavaScript', () => {
  // One tab goes from page to page: a new tab is a new renderer process (about 0.2 s of CPU each).
  let page: Page;
  beforeAll(async () => {
    page = await context.newPage();
  });
  afterAll(async () => {
    await page?.close();
  });

  it.each(pagesFor(['it', 'ar']))('/%s %s', async (locale, spec) => {
    const path = await resolvePath(site.origin, locale, spec);
    const response = await page.goto(site.origin + path, { waitUntil: 'load' });
    expect(response?.status(), path).toBe(spec.status);
    const h1 = page.locator('h1');
    expect(await h1.count()).toBe(1);
    expect(await h1.isVisible()).toBe(true);
    expect((await h1.innerText()).trim()).not.toBe('');
  });
});

describe('the desks filter is a plain form', () => {
  it.each(['it', 'ar'])('/%s/sportelli: choosing Municipio 8 lists its three desks', async (locale) => {
    const page = await context.newPage();
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
    try {
      await page.goto(`${site.origin}/${locale}/sportelli`, { waitUntil: 'load' });
      expect(await deskNames()).toEqual(expect.arrayContaining(M8));

      await choose('8');
      expect(await deskNames()).toEqual(M8);

      // And it really filters: a municipio without desks lists none.
      await choose('1');
      expect(await deskNames()).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('"add to calendar" works without JavaScript', () => {
  it.each(['it', 'ar'])('/%s event page', async (locale) => {
    const path = await firstEventPath(site.origin, locale);
    const page = await context.newPage();
    try {
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
    } finally {
      await page.close();
    }
  });
});

/** The scripts a page asks for, with JavaScript on (so that a script it asks for would really load). */
async function scriptsOf(path: string) {
  const jsContext = await site.browser.newContext();
  const page = await jsContext.newPage();
  const scripts: string[] = [];
  const all: string[] = [];
  page.on('response', (r) => {
    all.push(r.url());
    if (r.request().resourceType() === 'script') scripts.push(r.url());
  });
  try {
    const response = await page.goto(site.origin + path, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(all.length).toBeGreaterThan(0);
    // Inline scripts other than JSON data blocks.
    const inline = await page.locator('script:not([type="application/ld+json"]):not([src])').count();
    return { scripts, inline };
  } finally {
    await jsContext.close();
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
