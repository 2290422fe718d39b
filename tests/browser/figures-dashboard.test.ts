// The network's figures in Chromium: the coordinator of Municipio 8 opens the dashboard with
// JavaScript off on a 320 px phone — each section has its SVG chart and its data table, small counts
// read "< 5", waiting lists and ratings are counted too, the GET filter regroups the figures by language,
// and nothing is wider than the screen; axe finds no WCAG 2.1 A/AA violation (Italian and English,
// and the admin's city view). The figures come from bookings made through the booking service and
// counted by the hourly job before the server starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { countFigures } from '#/features/figures/count-figures.ts';
import { browserSite, expectNoViolations, follow } from './support.ts';
import { passSecondFactor, signedInContext } from './staff-support.ts';
import type { Locale } from '#/lib/locales.ts';

const accounts: Partial<Record<DemoAccount['role'], DemoAccount>> = {};

const site = browserSite(() =>
  startServer(
    { NODE_ENV: 'development', RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000' },
    {
      async prepare(db) {
        for (const a of await createDemoAccounts(db)) accounts[a.role] = a;
        // Quarto Oggiaro (Municipio 8): the next eight places, six in Italian and two in Arabic.
        const desk = (await getDeskBySlug(db, 'quarto-oggiaro'))!;
        await db
          .updateTable('desk')
          .set({ capacity_per_slot: 10, max_days_ahead: 60 })
          .where('id', '=', desk.id)
          .execute();
        const now = new Date();
        const day = new Date(now.getTime() + 7 * 86400000);
        const tuesday = new Date(day.getTime() + ((2 - day.getUTCDay() + 7) % 7) * 86400000);
        const book = (i: number, week: number) =>
          createBooking(
            db,
            {
              desk: { ...desk, capacityPerSlot: 10, maxDaysAhead: 60 },
              // 10:00 in Milan (11:00 UTC in summer would be 12:00; any opening hour will do).
              start: new Date(
                `${new Date(tuesday.getTime() + week * 7 * 86400000).toISOString().slice(0, 10)}T09:30:00Z`,
              ),
              firstName: 'Famiglia',
              email: `famiglia${i}@example.org`,
              phone: null,
              topic: 'orientation',
              note: null,
              locale: (i < 6 ? 'it' : 'ar') as Locale,
              submissionKey: null,
              source: 'public',
            },
            now,
          );
        // A Tuesday that is a public holiday has no places: the next one then.
        let week = 0;
        while (!(await book(0, week)).ok && week < 4) week++;
        for (let i = 1; i < 8; i++) {
          const made = await book(i, week);
          if (!made.ok) throw new Error(`booking not made: ${JSON.stringify(made)}`);
        }
        await countFigures(db, now);
      },
    },
  ),
);

/**
 * A page signed in as `role`. The file's first for each role signs in (the admin's sets TOTP up, as
 * every admin's first does); the others reuse that session (staff-support.ts, signedInContext).
 */
async function signedIn(role: 'coordinator' | 'admin', options: BrowserContextOptions): Promise<Page> {
  const { page } = await signedInContext(site, accounts[role]!, options, async (signingIn) => {
    if (role === 'admin') await passSecondFactor(signingIn, site.origin);
  });
  return page;
}

/** Whether anything sticks out of the screen sideways. */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('the dashboard with JavaScript off, on a 320 px phone (coordinator of Municipio 8)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await signedIn('coordinator', {
      javaScriptEnabled: false,
      viewport: { width: 320, height: 640 },
      isMobile: true,
      hasTouch: true,
    });
  });
  afterAll(() => page?.context().close());

  it('shows each section as an SVG chart beside its data table, small counts as "< 5"', async () => {
    const response = await page.goto(`${site.origin}/it/staff/cruscotto`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect((await page.locator('h1').innerText()).trim()).toBe('I numeri della rete');
    const bookings = page.locator('#bookings');
    expect(await bookings.locator('svg.bar-chart[role="img"]').count()).toBe(1);
    expect(await bookings.locator('svg.bar-chart').getAttribute('aria-label')).toContain('Prenotati');
    const total = bookings.locator('table tr.total');
    expect((await total.locator('td').first().innerText()).trim()).toBe('8');
    // Attendance not marked yet and no cancellation: those counts read "< 5".
    expect(await bookings.locator('td', { hasText: '< 5' }).count()).toBeGreaterThan(0);
    for (const id of ['events', 'pledges', 'waitlist', 'rating', 'volunteers'])
      expect(await page.locator(`#${id} h2`).count(), id).toBe(1);
    // Every source is counted now: none says "not collected yet".
    expect(await page.getByText('Non ancora raccolto').count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
  });

  it('the GET filter regroups the figures by language, without JavaScript', async () => {
    await page.selectOption('#f-by', 'locale');
    await follow(page, 'form.filter button[type="submit"]');
    expect(new URL(page.url()).searchParams.get('per')).toBe('locale');
    const row = (label: string) =>
      page.locator('#bookings table tbody tr', { has: page.locator('th', { hasText: label }) }).locator('td');
    // 8 booked: 2 in Arabic are hidden, and so are the 6 in Italian, or 8 − 6 would give the 2 away.
    expect((await row('Totale').first().innerText()).trim()).toBe('8');
    expect((await row('arabo').first().innerText()).trim()).toBe('< 5');
    expect((await row('italiano').first().innerText()).trim()).toBe('< 5');
    expect(await page.locator('#bookings table thead th').first().innerText()).toBe('Lingua');
    expect(await page.locator(`a[href*="cruscotto.csv?"][href*="per=locale"]`).count()).toBe(1);
    expect(await fitsWidth(page)).toBe(true);
  });
});

describe.each(['it', 'en'] as const)('axe finds no violation on the dashboard (%s)', (locale) => {
  let coordinator: Page;
  let admin: Page;
  beforeAll(async () => {
    coordinator = await signedIn('coordinator', { javaScriptEnabled: true, bypassCSP: true });
    admin = await signedIn('admin', { javaScriptEnabled: true, bypassCSP: true });
  });
  afterAll(async () => {
    await coordinator?.context().close();
    await admin?.context().close();
  });

  it('the coordinator’s municipi, and the admin’s city by desk', async () => {
    for (const [page, path] of [
      [coordinator, 'cruscotto'],
      [admin, 'cruscotto?per=desk'],
    ] as const) {
      const response = await page.goto(`${site.origin}/${locale}/staff/${path}`, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(200);
      expect(await page.locator('svg.bar-chart').count()).toBeGreaterThan(0);
      await expectNoViolations(page, path);
    }
  });
});
