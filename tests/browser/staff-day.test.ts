// The staff's day in Chromium (issue #15). With JavaScript off, the desk operator goes from the
// staff home (today's and tomorrow's appointments, the search) to a booking by its "QB-…"
// reference, then closes that day: the family's booking is cancelled, the agenda says the day is
// closed and how many were told, and the desk's public page lists the day as closed. axe finds no
// WCAG 2.1 A/AA violation on the home, the search results and the close-a-day form, in Italian
// and English.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startStaffServer } from '../support/staff-http.ts';
import { lastCodeMailId } from '../support/codes.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { browserSite, confirmThroughApi, expectNoViolations, follow } from './support.ts';
import { signedInContext as signedInAs } from './staff-support.ts';

let reference = '';
let bookedDay = '';

const site = browserSite(() =>
  startStaffServer({
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000',
    MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
  }),
);

/** A family books the first free slot of Quarto Oggiaro through the public API, in Arabic. */
beforeAll(async () => {
  const today = romeDateString(new Date());
  const slots = (await (
    await fetch(`${site.origin}/api/v1/desks/quarto-oggiaro/slots?from=${addDays(today, 1)}&to=${addDays(today, 55)}`)
  ).json()) as { start: string; remaining: number }[];
  const slot = slots.find((s) => s.remaining > 0)!;
  const seen = lastCodeMailId(site.server.output());
  const res = await fetch(`${site.origin}/api/v1/bookings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      desk: 'quarto-oggiaro',
      start: slot.start,
      name: 'Samira',
      phone: '351 000 3333',
      email: 'samira@example.org',
      topic: 'orientation',
      locale: 'ar',
      privacyAccepted: true,
    }),
  });
  expect(res.status).toBe(201);
  reference = ((await res.json()) as { reference: string }).reference;
  await confirmThroughApi(site, reference, seen);
  bookedDay = romeDateString(new Date(slot.start));
});

const signedInContext = (options: { javaScriptEnabled: boolean; bypassCSP?: boolean }) =>
  signedInAs(site, site.app.accounts.desk_operator, options);

describe('axe finds no violation', () => {
  // One tab goes from page to page, test after test (a new tab is a new renderer process).
  let page: Page;
  beforeAll(async () => {
    ({ page } = await signedInContext({ javaScriptEnabled: true, bypassCSP: true }));
  });
  afterAll(async () => {
    await page?.context().close();
  });

  for (const locale of ['it', 'en']) {
    it(`/${locale}: the home with the day, the search results, the close-a-day form`, async () => {
      await page.goto(`${site.origin}/${locale}/staff`, { waitUntil: 'load' });
      expect(await page.locator('#day-ahead-title').count()).toBe(1);
      await expectNoViolations(page, 'staff home');
      await page.fill('#home-q', 'Samira');
      await follow(page, 'form.booking-search button[type="submit"]');
      expect(new URL(page.url()).pathname).toBe(`/${locale}/staff/cerca`);
      expect(page.url()).not.toContain('Samira');
      expect(await page.locator('.hits li', { hasText: reference }).count()).toBe(1);
      await expectNoViolations(page, 'search results');
      await page.fill('#q', 'x');
      await follow(page, 'form.booking-search button[type="submit"]');
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectNoViolations(page, 'search with an error');
      await page.goto(`${site.origin}/${locale}/staff/agenda/quarto-oggiaro/chiudi?giorno=${bookedDay}`, {
        waitUntil: 'load',
      });
      await expectNoViolations(page, 'close a day');
    });
  }
});

describe('without JavaScript', () => {
  it('home → search "QB-…" → the booking in its agenda day; then close that day: cancelled, told, shown closed', async () => {
    const { context, page } = await signedInContext({ javaScriptEnabled: false });
    try {
      // The search is in the staff menu of every page, not only on the home.
      await page.goto(`${site.origin}/it/staff/agenda`, { waitUntil: 'load' });
      await follow(page, '[data-element="main-navigation"] a[href="/it/staff/cerca"]');
      expect(new URL(page.url()).pathname).toBe('/it/staff/cerca');
      expect(await page.locator('h1').textContent()).toContain('Cerca una prenotazione');
      await page.goto(`${site.origin}/it/staff`, { waitUntil: 'load' });
      await page.fill('#home-q', reference.toLowerCase());
      await follow(page, 'form.booking-search button[type="submit"]');
      const hit = page.locator('.hits li', { hasText: reference });
      expect(await hit.count()).toBe(1);
      expect(await hit.textContent()).toContain('arabo');

      // One click to the booking: its row in the agenda of its day.
      await follow(page, hit.locator('a.ref'));
      const url = new URL(page.url());
      expect(url.pathname).toBe('/it/staff/agenda/quarto-oggiaro');
      expect(url.searchParams.get('giorno')).toBe(bookedDay);
      const row = page.locator(`tr${url.hash}`);
      expect(await row.textContent()).toContain(reference);
      expect(await row.textContent()).toContain('+39 351 000 3333');

      // Close this day, from the agenda.
      await follow(page, 'a:has-text("Chiudi questo giorno")');
      expect(await page.locator('#day').inputValue()).toBe(bookedDay);
      expect(await page.locator('#booked-that-day').textContent()).toContain(': 1.');
      await page.fill('#reason', 'Allagamento');
      await follow(page, 'form:has(input[name="intent"][value="closeDay"]) button[type="submit"]');
      expect(new URL(page.url()).searchParams.get('chiuso')).toBe('1');
      expect(await page.locator('#day-closed').textContent()).toContain('chiuso tutto il giorno');
      expect(await page.locator(`tr:has-text("${reference}")`).textContent()).toContain('Annullata');

      // The public page of the desk says the day is closed.
      await page.goto(`${site.origin}/it/sportelli/quarto-oggiaro`, { waitUntil: 'load' });
      expect(await page.locator('#closed-days li').count()).toBeGreaterThanOrEqual(1);
      expect(await page.locator('#closed-days').textContent()).toContain('chiuso');
    } finally {
      await context.close();
    }
  });
});
