// "Tell me if a place opens" at a desk in Chromium with JavaScript off (issue #13): from the desk
// page to the form (the first free time is booked by staff beforehand), the family proves its email
// with the 6-digit code (Arabic-Indic digits) and waits for that day; the appointment is cancelled (the API's cancel, as the family would with its reference and
// phone); the offer's email link opens the status page, and "yes, book" makes it a confirmed
// booking. axe finds nothing on the form and the offer, in Italian and Arabic.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { romeDateString } from '#/lib/time.ts';
import { codeSentTo } from '../support/codes.ts';
import {
  browserSite,
  expectNoViolations,
  follow,
  inArabicDigits,
  LIMITS_NOT_REACHED,
  linkFromEmail,
  text,
} from './support.ts';

const fx = { slug: 'quarto-oggiaro', reference: '', phone: '+393331234000', day: '' };

const site = browserSite(() =>
  startServer(LIMITS_NOT_REACHED, {
    async prepare(db) {
      const desk = (await getDeskBySlug(db, fx.slug))!;
      const now = new Date();
      const [slot] = await nextFreeSlots(db, desk, now, now, 1);
      const made = await createBooking(
        db,
        {
          desk,
          start: slot!.start,
          firstName: 'Luca',
          email: null,
          phone: fx.phone,
          topic: null,
          note: null,
          locale: 'it',
          submissionKey: null,
          source: 'staff',
        },
        now,
      );
      if (!made.ok) throw new Error('not booked');
      fx.reference = made.booking.reference;
      fx.day = romeDateString(slot!.start);
    },
  }),
);

// One tab goes from page to page (a new tab is a new renderer process).
let axePage: Page;
beforeAll(async () => {
  axePage = await (await site.browser.newContext({ bypassCSP: true })).newPage();
});

async function axe(path: string, what: string) {
  await axePage.goto(`${site.origin}${path}`, { waitUntil: 'load' });
  await expectNoViolations(axePage, what);
}

describe('tell me if a place opens, JavaScript off', () => {
  it('desk page → form → a cancelled appointment is offered → booked', async () => {
    await site.withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${site.origin}/ar/sportelli/${fx.slug}`, { waitUntil: 'load' });
      await follow(page, page.getByRole('link', { name: text('ar', 'waitlist.desk.tellMe'), exact: true }));
      expect(new URL(page.url()).pathname).toBe(`/ar/sportelli/${fx.slug}/avvisami`);
      await page.fill('#fromDay', fx.day);
      await page.fill('#toDay', fx.day);
      await page.fill('#name', 'سارة');
      await page.fill('#email', 'sara.sportello@example.org');
      await follow(page, page.getByRole('button', { name: text('ar', 'waitlist.desk.submit'), exact: true }));
      expect(new URL(page.url()).search).toBe('?passo=codice');
      await page.fill('#code', inArabicDigits(await codeSentTo(site.server.output, 'sara.sportello@example.org')));
      await follow(page, page.getByRole('button', { name: text('ar', 'waitlist.code.submit'), exact: true }));
      expect(await page.locator('[role="status"]').innerText()).toContain(text('ar', 'waitlist.joined'));

      const res = await fetch(`${site.origin}/api/v1/bookings/cancel`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ reference: fx.reference, phone: fx.phone }),
      });
      expect(res.status).toBe(200);

      const offer = await linkFromEmail(site.server, 'waitlist_offer', 'QW-', /https?:\/\/\S+lista-attesa\?token=\S+/);
      await page.goto(`${site.origin}${offer}`, { waitUntil: 'load' });
      await axe(offer, 'desk offer (ar)');
      await follow(page, page.getByRole('button', { name: text('ar', 'waitlist.status.deskAccept'), exact: true }));
      expect(await page.locator('[role="status"]').innerText()).toBe(text('ar', 'waitlist.status.outcome.prenotata'));
      // The booking's own confirmation, with its manage link, as for any booking.
      await linkFromEmail(site.server, 'booking_confirmation', 'QB-', /https?:\/\/\S+prenotazione\/gestisci\S+/);
    });
  });

  it.each(['it', 'ar'])('axe: the form in /%s', async (locale) => {
    await axe(`/${locale}/sportelli/${fx.slug}/avvisami`, `desk wait form (${locale})`);
  });
});
