// "Find the desk nearest to me" (issue #14), the site's first Preact island, in Chromium at 320 px,
// in Italian and in Arabic (RTL): hydrated under the site's own Content-Security-Policy, used from
// the keyboard, it sorts the desks by distance from a position Chromium emulates (the browser's
// geolocation override and permission, through Playwright's context options, which set them over
// CDP), writes each distance, and sends the position nowhere; a refused permission says what to do
// instead. Without JavaScript there is no button and the municipio filter works. axe clean. The
// home page's own island shows the 3 nearest desks, with the same guarantees, and moves nothing.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite, expectNoViolations, follow, text } from './support.ts';

const site = browserSite(() => sharedServer());
const phone = { viewport: { width: 320, height: 640 } };
// A few hundred metres from Villapizzone's (sample) coordinates, 45.5012, 9.1515.
const nearVillapizzone = { latitude: 45.503, longitude: 9.153 };

const cardOrder = (page: Page) =>
  page.locator('#desk-list > li h3 a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()));
const noHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
/** What the Content-Security-Policy refused (console messages) and each request to another origin. */
function watchCspAndRequests(page: Page) {
  const refused: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  const elsewhere: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(site.origin)) elsewhere.push(r.url());
  });
  return { refused, elsewhere };
}

describe('the nearest desk', () => {
  it.each(['it', 'ar'])(
    'sorts the desks by distance at 320 px, from the keyboard, under the CSP (%s)',
    async (locale) => {
      await site.withPage({ ...phone, geolocation: nearVillapizzone, permissions: ['geolocation'] }, async (page) => {
        const { refused, elsewhere } = watchCspAndRequests(page);
        await page.goto(`${site.origin}/${locale}/sportelli`, { waitUntil: 'load' });
        expect(await page.getAttribute('html', 'dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
        const before = await cardOrder(page);
        const button = page.getByRole('button', { name: text(locale, 'desks.nearest.button') });
        await button.waitFor({ state: 'visible' });
        await button.focus();
        await page.keyboard.press('Enter');
        await page.getByRole('status').getByText(text(locale, 'desks.nearest.sorted')).waitFor();
        // About 0.2, 1.7 and 3.2 km away: the list was in name order, now nearest first.
        expect(before).toEqual(['gallaratese', 'quarto-oggiaro', 'villapizzone']);
        expect(await cardOrder(page)).toEqual(['villapizzone', 'quarto-oggiaro', 'gallaratese']);
        expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);
        const distance = (await page.locator('#desk-list > li').first().locator('[data-distance]').innerText()).trim();
        expect(distance).toMatch(locale === 'ar' ? /كم/ : /^a 0,\d km$/);
        expect(await noHorizontalScroll(page)).toBe(true);
        expect(refused).toEqual([]);
        expect(elsewhere).toEqual([]);
      });
    },
  );

  it('is axe clean once sorted, in Arabic', async () => {
    await site.withPage(
      { ...phone, geolocation: nearVillapizzone, permissions: ['geolocation'], bypassCSP: true },
      async (page) => {
        await page.goto(`${site.origin}/ar/sportelli`, { waitUntil: 'load' });
        await page.getByRole('button', { name: text('ar', 'desks.nearest.button') }).click();
        await page.getByRole('status').getByText(text('ar', 'desks.nearest.sorted')).waitFor();
        await expectNoViolations(page, 'desks list sorted by distance, ar');
      },
    );
  });

  it.each(['', '/sportelli'])(
    'wakes within seconds on a phone whose main thread is never idle (/it%s)',
    async (path) => {
      // An old phone busy with other work: tasks of 40 ms back to back, so the browser never has an
      // idle moment and an idle callback without a deadline would never run (the button stays hidden
      // until the island wakes). The island's `client:idle` deadline wakes it anyway.
      await site.withNewContext(phone, async (page) => {
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.addInitScript(() => {
          // A message channel, not setTimeout: nested timers are held back 4 ms, an idle moment.
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            const end = performance.now() + 40;
            while (performance.now() < end);
            channel.port2.postMessage(0);
          };
          channel.port2.postMessage(0);
        });
        await page.goto(`${site.origin}/it${path}`, { waitUntil: 'load' });
        // The deadline is 2 s after the page is ready; 10 s leaves room for a loaded CI machine.
        await page.locator('astro-island:not([ssr])').waitFor({ state: 'attached', timeout: 10000 });
        expect(await page.getByRole('button', { name: text('it', 'desks.nearest.button') }).isVisible()).toBe(true);
        expect(errors).toEqual([]);
      });
    },
  );

  it('says what to do when the position is refused', async () => {
    await site.withPage({ ...phone, permissions: [] }, async (page) => {
      await page.goto(`${site.origin}/it/sportelli`, { waitUntil: 'load' });
      await page.getByRole('button', { name: text('it', 'desks.nearest.button') }).click();
      await page.getByRole('status').getByText(text('it', 'desks.nearest.failed')).waitFor();
    });
  });

  it.each(['it', 'ar'])('without JavaScript offers no button, and the municipio filter works (%s)', async (locale) => {
    await site.withPage({ ...phone, javaScriptEnabled: false }, async (page) => {
      await page.goto(`${site.origin}/${locale}/sportelli`, { waitUntil: 'load' });
      expect(await page.getByRole('button', { name: text(locale, 'desks.nearest.button') }).count()).toBe(0);
      await page.selectOption('#municipio', '8');
      await page.selectOption('#lingua', 'zh');
      await follow(page, 'form.filter button[type="submit"]');
      expect(new URL(page.url()).search).toBe('?municipio=8&lingua=zh');
      expect(await cardOrder(page)).toEqual(['villapizzone']);
      expect(await noHorizontalScroll(page)).toBe(true);
    });
  });

  it.each(['it', 'ar'])('the desk page’s "before you come" fits 320 px and is axe clean (%s)', async (locale) => {
    await site.withPage({ ...phone, bypassCSP: true }, async (page) => {
      await page.goto(`${site.origin}/${locale}/sportelli/quarto-oggiaro`, { waitUntil: 'load' });
      await page.locator('#before-you-come').waitFor();
      expect(await page.locator('a[href^="geo:"]').count()).toBe(1);
      expect(await noHorizontalScroll(page)).toBe(true);
      await expectNoViolations(page, `desk page, ${locale}`);
    });
  });
});

// The same button on the home page (issue #14): the home page lists no desk, so the island carries
// the desks' names, pages and coordinates and shows the 3 nearest; the desks page has them all.
describe('the nearest desk on the home page', () => {
  const nearestShown = (page: Page) =>
    page.locator('.nearest-list > li').evaluateAll((lis) =>
      lis.map((li) => ({
        desk: li.querySelector('a')!.getAttribute('href')!,
        distance: li.querySelector('span')?.textContent?.trim() ?? '',
      })),
    );

  it.each(['it', 'ar'])(
    'shows the 3 nearest desks at 320 px, from the keyboard, under the CSP, moving nothing (%s)',
    async (locale) => {
      // A tall window, so that the whole page is in view: a shift below a phone's first screen counts too.
      const tall = { viewport: { width: 320, height: 2400 } };
      await site.withNewContext(
        { ...tall, geolocation: nearVillapizzone, permissions: ['geolocation'] },
        async (page) => {
          const { refused, elsewhere } = watchCspAndRequests(page);
          // Every layout shift from the first paint on: the island is in its place before it wakes up.
          await page.addInitScript(() => {
            const w = window as unknown as { shifts: number };
            w.shifts = 0;
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) w.shifts += (e as PerformanceEntry & { value: number }).value;
            }).observe({ type: 'layout-shift', buffered: true });
          });
          await page.goto(`${site.origin}/${locale}`, { waitUntil: 'load' });
          expect(await page.getAttribute('html', 'dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
          await page.locator('astro-island:not([ssr])').waitFor({ state: 'attached' });
          expect(await page.locator('.nearest-list').count()).toBe(0);
          expect(await page.evaluate(() => (window as unknown as { shifts: number }).shifts)).toBe(0);
          const button = page.getByRole('button', { name: text(locale, 'desks.nearest.button') });
          await button.focus();
          await page.keyboard.press('Enter');
          await page.getByRole('status').getByText(text(locale, 'home.nearest.found')).waitFor();
          // About 0.2, 1.7 and 3.2 km away, nearest first, each a link to its desk's page.
          const shown = await nearestShown(page);
          expect(shown.map((s) => s.desk)).toEqual(
            ['villapizzone', 'quarto-oggiaro', 'gallaratese'].map((slug) => `/${locale}/sportelli/${slug}`),
          );
          expect(shown[0]!.distance).toMatch(locale === 'ar' ? /كم/ : /^a 0,\d km$/);
          expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);
          expect(await noHorizontalScroll(page)).toBe(true);
          expect(refused).toEqual([]);
          expect(elsewhere).toEqual([]);
        },
      );
    },
  );

  it('is axe clean once the nearest desks are shown, in Arabic', async () => {
    await site.withPage(
      { ...phone, geolocation: nearVillapizzone, permissions: ['geolocation'], bypassCSP: true },
      async (page) => {
        await page.goto(`${site.origin}/ar`, { waitUntil: 'load' });
        await page.locator('astro-island:not([ssr])').waitFor({ state: 'attached' });
        await page.getByRole('button', { name: text('ar', 'desks.nearest.button') }).click();
        await page.getByRole('status').getByText(text('ar', 'home.nearest.found')).waitFor();
        await expectNoViolations(page, 'home page with the nearest desks, ar');
      },
    );
  });

  it('says what to do when the position is refused', async () => {
    await site.withPage({ ...phone, permissions: [] }, async (page) => {
      await page.goto(`${site.origin}/it`, { waitUntil: 'load' });
      await page.locator('astro-island:not([ssr])').waitFor({ state: 'attached' });
      await page.getByRole('button', { name: text('it', 'desks.nearest.button') }).click();
      await page.getByRole('status').getByText(text('it', 'desks.nearest.failed')).waitFor();
      expect(await page.locator('.nearest-list').count()).toBe(0);
    });
  });

  it.each(['it', 'ar'])(
    'without JavaScript offers no button, and the municipio filter leads to the desks (%s)',
    async (locale) => {
      await site.withPage({ ...phone, javaScriptEnabled: false }, async (page) => {
        await page.goto(`${site.origin}/${locale}`, { waitUntil: 'load' });
        expect(await page.getByRole('button', { name: text(locale, 'desks.nearest.button') }).count()).toBe(0);
        expect(await page.getByText(text(locale, 'desks.nearest.privacy')).isVisible()).toBe(false);
        await page.selectOption('#municipio', '8');
        await follow(page, '#find-desk ~ form.filter button[type="submit"]');
        expect(new URL(page.url()).pathname).toBe(`/${locale}/sportelli`);
        expect(new URL(page.url()).search).toBe('?municipio=8');
        // The three sample desks are all in Municipio 8.
        expect(await cardOrder(page)).toEqual(['gallaratese', 'quarto-oggiaro', 'villapizzone']);
        expect(await noHorizontalScroll(page)).toBe(true);
      });
    },
  );
});
