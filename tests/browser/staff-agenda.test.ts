// The desks' agenda in Chromium: axe finds no WCAG 2.1 A/AA violation on the agenda (day and week
// view, with bookings; the phone booking form with its errors; the cancel confirmation) and on the
// settings page (also with errors), in Italian and English; and with JavaScript off, the desk
// operator books a slot for a family on the phone and sees it in the agenda.
//
// Accounts: the demo accounts the server prints with NODE_ENV=development on the embedded database;
// on PostgreSQL (TEST_DATABASE_URL) the test creates the same accounts in the server's schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startStaffServer } from '../support/staff-http.ts';
import { lastCodeMailId } from '../support/codes.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { browserSite, confirmThroughApi, expectNoViolations, follow } from './support.ts';
import { signedInContext as signedInAs } from './staff-support.ts';

/** A Tuesday with a booking made through the public API (the table has a row to check). */
let bookedDay = '';

const site = browserSite(() =>
  startStaffServer({
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000',
    MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
    HOLDS_PER_CLIENT: '1000000',
    BOOKINGS_PER_CONTACT_PER_DESK: '1000000',
    BOOKINGS_PER_CONTACT: '1000000',
  }),
);
beforeAll(async () => {
  const slot = (await freeSlots())[0]!;
  const seen = lastCodeMailId(site.server.output());
  const res = await fetch(`${site.origin}/api/v1/bookings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      desk: 'quarto-oggiaro',
      start: slot.start,
      name: 'Amina',
      phone: '351 000 2222',
      email: 'amina@example.org',
      topic: 'orientation',
      note: 'Documenti per la mensa',
      locale: 'it',
      privacyAccepted: true,
    }),
  });
  expect(res.status).toBe(201);
  await confirmThroughApi(site, ((await res.json()) as { reference: string }).reference, seen);
  bookedDay = romeDateString(new Date(slot.start));
});

async function freeSlots(): Promise<{ start: string; remaining: number }[]> {
  const today = romeDateString(new Date());
  const res = await fetch(`${site.origin}/api/v1/desks/quarto-oggiaro/slots?from=${today}&to=${addDays(today, 55)}`);
  return ((await res.json()) as { start: string; remaining: number }[]).filter((s) => s.remaining > 0);
}

const signedInContext = (options: { javaScriptEnabled: boolean; bypassCSP?: boolean }) =>
  signedInAs(site, site.app.accounts.desk_operator, options);

describe('axe finds no violation', () => {
  // One tab goes from page to page, test after test (a new tab is a new renderer process).
  let page: Page;
  beforeAll(async () => {
    // axe is injected as a script: the context bypasses the page's CSP (which allows no inline script).
    ({ page } = await signedInContext({ javaScriptEnabled: true, bypassCSP: true }));
  });
  afterAll(async () => {
    await page?.context().close();
  });

  for (const locale of ['it', 'en']) {
    it(`/${locale}: the list of agendas, the day and week views, the settings`, async () => {
      // The refused forms of the locale before left their answers in the draft (kept an hour, for
      // Back), not their errors: every page here answers 200.
      for (const path of [
        `/${locale}/staff/agenda`,
        `/${locale}/staff/agenda/quarto-oggiaro?giorno=${bookedDay}&vista=giorno`,
        `/${locale}/staff/agenda/quarto-oggiaro?giorno=${bookedDay}&vista=settimana`,
        `/${locale}/staff/agenda/quarto-oggiaro/impostazioni`,
      ]) {
        const response = await page.goto(site.origin + path, { waitUntil: 'load' });
        expect(response?.status(), path).toBe(200);
        expect(await page.locator('h1').count()).toBe(1);
        await expectNoViolations(page, path);
      }
      // The day view has the booking in its table.
      await page.goto(`${site.origin}/${locale}/staff/agenda/quarto-oggiaro?giorno=${bookedDay}&vista=giorno`, {
        waitUntil: 'load',
      });
      expect(await page.locator('tbody tr', { hasText: 'Amina' }).count()).toBe(1);
    });

    it(`/${locale}: the phone booking form with errors, the cancel confirmation, the settings with errors`, async () => {
      await page.goto(`${site.origin}/${locale}/staff/agenda/quarto-oggiaro?giorno=${bookedDay}&vista=giorno`, {
        waitUntil: 'load',
      });
      await page.fill('#email', 'not an address');
      await follow(page, 'form:has(input[name="intent"][value="book"]) button[type="submit"]');
      expect(await page.locator('.error-summary').count()).toBe(1);
      expect(await page.locator('#firstName[aria-invalid="true"]').count()).toBe(1);
      await expectNoViolations(page, 'phone booking with errors');

      await page.goto(`${site.origin}/${locale}/staff/agenda/quarto-oggiaro?giorno=${bookedDay}&vista=giorno`, {
        waitUntil: 'load',
      });
      await follow(page, 'tr:has-text("Amina") form:has(input[value="cancel"]) button');
      expect(await page.locator('input[name="intent"][value="cancelConfirmed"]').count()).toBe(1);
      await expectNoViolations(page, 'cancel confirmation');

      await page.goto(`${site.origin}/${locale}/staff/agenda/quarto-oggiaro/impostazioni`, { waitUntil: 'load' });
      await page.fill('#slotMinutes', '7');
      await follow(page, 'form:has(input[name="intent"][value="settings"]) button[type="submit"]');
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectNoViolations(page, 'settings with errors');
    });
  }
});

describe('without JavaScript', () => {
  it('the desk operator books a free slot for a family on the phone, with no contact, and sees it in the agenda', async () => {
    const { context, page } = await signedInContext({ javaScriptEnabled: false });
    try {
      const slot = (await freeSlots())[0]!;
      const day = romeDateString(new Date(slot.start));
      await page.goto(`${site.origin}/it/staff/agenda`, { waitUntil: 'load' });
      await Promise.all([
        page.waitForEvent('load'),
        page.click('a[href^="/it/staff/agenda/quarto-oggiaro?"][href$="vista=giorno"]'),
      ]);
      // Go to the slot's day with the plain GET form.
      await page.fill('#giorno', day);
      await follow(page, 'form.filter button[type="submit"]');
      expect(new URL(page.url()).searchParams.get('giorno')).toBe(day);
      await page.check(`input[name="slot"][value="${new Date(slot.start).toISOString()}"]`);
      await page.fill('#firstName', 'Giulia');
      await page.fill('#note', 'Chiede del doposcuola');
      await follow(page, 'form:has(input[name="intent"][value="book"]) button[type="submit"]');
      const url = new URL(page.url());
      expect(url.searchParams.get('fatto')).toBe('booked');
      const reference = url.searchParams.get('codice')!;
      expect(await page.locator('[role="status"]').innerText()).toContain(reference);
      const row = page.locator('tbody tr', { hasText: reference });
      expect(await row.count()).toBe(1);
      expect(await row.innerText()).toContain('Giulia');
      expect(await row.innerText()).toContain('Chiede del doposcuola');
      // The slot is no longer offered to the public.
      expect((await freeSlots()).map((s) => s.start)).not.toContain(slot.start);
    } finally {
      await page.close();
      await context.close();
    }
  });
});
