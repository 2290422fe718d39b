// Booking in a real browser: a family books with JavaScript off in Arabic (phone only) and with
// JavaScript on in Italian (email), downloads the calendar file, moves (by reference and phone) and
// cancels; the move by reference is axe-clean in every locale; and axe finds no
// WCAG 2.1 A/AA violation on any booking or manage page type in Italian, English and Arabic.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import {
  e164,
  axeViolations,
  browserSite,
  confirmWithCode,
  follow,
  h1,
  inArabicDigits,
  LIMITS_NOT_REACHED,
  text,
} from './support.ts';
import { loggedMails } from '../support/mail-log.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { LOCALES } from '#/lib/locales.ts';

// Every locale of the site (src/lib/locales.ts).
const MOVE_LOCALES = LOCALES;
/** Phone-only bookings made by the desk (no code step), one per locale, to move by reference + phone. */
const toMove: Record<string, { reference: string; phone: string }> = {};

const site = browserSite(() =>
  startServer(LIMITS_NOT_REACHED, {
    async prepare(db) {
      const desk = (await getDeskBySlug(db, 'quarto-oggiaro'))!;
      const now = new Date();
      const free = await nextFreeSlots(db, desk, now, now, MOVE_LOCALES.length);
      for (const [i, locale] of MOVE_LOCALES.entries()) {
        const phone = `+3934700000${i}${i}`;
        const made = await createBooking(db, {
          desk,
          start: free[i]!.start,
          firstName: 'Fatima',
          email: null,
          phone,
          topic: null,
          note: null,
          locale,
          submissionKey: null,
          source: 'staff',
        });
        if (!made.ok) throw new Error(made.reason);
        toMove[locale] = { reference: made.booking.reference, phone: phone.replace('+39', '') };
      }
    },
  }),
);

type Locale = 'it' | 'en' | 'ar';

async function continueButton(page: Page, locale: Locale) {
  await follow(page, page.getByRole('button', { name: text(locale, 'booking.continue'), exact: true }));
}

async function chooseFirstTime(page: Page, locale: Locale, desk: string, index = 0) {
  await page.goto(`${site.origin}/${locale}/sportelli/${desk}/prenota`);
  await page.locator('input[name="slot"]').nth(index).check();
  await continueButton(page, locale);
  expect(await h1(page)).toBe(text(locale, 'booking.details.title'));
}

async function fillContact(page: Page, values: { firstName: string; phone?: string; email?: string }) {
  await page.fill('#firstName', values.firstName);
  if (values.phone) await page.fill('#phone', values.phone);
  if (values.email) await page.fill('#email', values.email);
}

async function confirmAndReadReference(
  page: Page,
  locale: Locale,
  options: Parameters<typeof confirmWithCode>[2] = {},
): Promise<string> {
  await confirmWithCode(page, site.server, options);
  expect(await h1(page)).toBe(text(locale, 'booking.done.title'));
  return (await page.locator('.panel .reference').innerText()).trim();
}

async function downloadCalendar(page: Page): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('main a[href*="appuntamento.ics"]').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.ics$/);
  return readFile((await download.path())!, 'utf8');
}

/** The manage link of a booking, from the confirmation emails the file mailer logs. */
async function manageLinkFor(reference: string): Promise<string> {
  const checked = new Set<string>();
  // The mail worker writes a message once it is queued: looked for every 50 ms, for up to 25 s.
  for (let i = 0; i < 500; i++) {
    for (const mail of await loggedMails(
      site.server.output(),
      'booking_confirmation',
      /\/prenotazione\/gestisci\?token=/,
    )) {
      const url = new URL(mail.url);
      const link = url.pathname + url.search;
      if (checked.has(link)) continue;
      checked.add(link);
      if ((await (await fetch(site.origin + link)).text()).includes(reference)) return link;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no manage link for ${reference}`);
}

describe('a family books and cancels', () => {
  it('with JavaScript off, in Arabic, with a phone number only', async () => {
    await site.withPage({ javaScriptEnabled: false, acceptDownloads: true }, async (page) => {
      await page.goto(`${site.origin}/ar/sportelli/gallaratese`);
      await Promise.all([
        page.waitForURL(/\/prenota$/),
        page.getByRole('link', { name: text('ar', 'booking.cta') }).click(),
      ]);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      await page.locator('input[name="slot"]').first().check();
      await continueButton(page, 'ar');

      await page.locator('input[name="topic"]').first().check();
      await continueButton(page, 'ar');
      expect(await h1(page)).toBe(text('ar', 'booking.contact.title'));
      await fillContact(page, { firstName: 'أمينة', phone: '351 444 5555' });
      await continueButton(page, 'ar');
      expect(await h1(page)).toBe(text('ar', 'booking.check.title'));
      expect(await page.locator('main').innerText()).toContain('351 444 5555');

      // The code step, without JavaScript: where the code went (the phone, masked), a field that
      // phones fill from the SMS, and the code typed with Arabic-Indic digits and a space.
      const reference = await confirmAndReadReference(page, 'ar', {
        typed: inArabicDigits,
        onCodeStep: async () => {
          expect(await h1(page)).toBe(text('ar', 'booking.code.title'));
          expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
          const main = await page.locator('main').innerText();
          expect(main).toContain(text('ar', 'booking.code.sentSms'));
          expect(main).toContain('+39 ••• 5555');
          expect(main).not.toContain('444');
          const field = page.locator('#code');
          expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
          expect(await field.getAttribute('inputmode')).toBe('numeric');
          expect(await page.locator('label[for="code"]').innerText()).toBe(text('ar', 'booking.code.label'));
          // A wrong code first: the error summary says so, in Arabic, with the tries left.
          await page.fill('#code', '٠٠٠ ٠٠٠');
          await follow(page, '#confirm-code');
          expect(await page.locator('.error-summary').innerText()).toContain(
            text('ar', 'booking.error.codeWrong', { count: '4' }),
          );
        },
      });
      expect(reference).toMatch(/^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
      const ics = await downloadCalendar(page);
      expect(ics.startsWith('BEGIN:VCALENDAR')).toBe(true);
      expect(ics).toContain('SUMMARY:Spazio QuBì Gallaratese');

      // Cancel with the reference code and the phone number.
      await Promise.all([
        page.waitForURL(/\/ar\/prenotazione\/annulla$/),
        page.getByRole('link', { name: text('ar', 'booking.done.cancelLink') }).click(),
      ]);
      await page.fill('#reference', reference);
      await page.fill('#phone', '351 444 5555');
      await follow(page, page.getByRole('button', { name: text('ar', 'manage.lookup.submit') }));
      expect(await h1(page)).toBe(text('ar', 'manage.cancel.title'));
      // Or move it instead: the same desk's free times, a plain form, no email needed.
      await follow(page, page.locator('a[href$="passo=sposta"]'));
      expect(await h1(page)).toBe(text('ar', 'manage.move.title'));
      await page.locator('input[name="slot"]').first().check();
      await Promise.all([
        page.waitForURL(/esito=spostata$/),
        page.getByRole('button', { name: text('ar', 'manage.move.submit') }).click(),
      ]);
      expect(await h1(page)).toBe(text('ar', 'manage.lookup.movedTitle'));
      // Found again by the same reference and phone, at its new time, and cancelled.
      await page.goto(`${site.origin}/ar/prenotazione/annulla`);
      await page.fill('#reference', reference);
      await page.fill('#phone', '351 444 5555');
      await follow(page, page.getByRole('button', { name: text('ar', 'manage.lookup.submit') }));
      expect(await h1(page)).toBe(text('ar', 'manage.cancel.title'));
      await Promise.all([
        page.waitForURL(/esito=annullata/),
        page.getByRole('button', { name: text('ar', 'manage.cancel.yes') }).click(),
      ]);
      expect(await h1(page)).toBe(text('ar', 'manage.cancelledTitle'));
    });
  });

  it('with JavaScript on, in Italian, with an email, cancelling from the emailed link', async () => {
    await site.withPage({ javaScriptEnabled: true, acceptDownloads: true }, async (page) => {
      await chooseFirstTime(page, 'it', 'quarto-oggiaro');
      await page.fill('#note', 'Vorrei informazioni sul centro estivo.');
      await continueButton(page, 'it');
      await fillContact(page, { firstName: 'Giulia', email: 'giulia@example.org' });
      await continueButton(page, 'it');
      const reference = await confirmAndReadReference(page, 'it');
      expect(await page.locator('main').innerText()).toContain(text('it', 'booking.done.change.email'));
      expect(await downloadCalendar(page)).toContain('LOCATION:Via Pascarella 5\\, 20157 Milano');

      await page.goto(site.origin + (await manageLinkFor(reference)));
      expect(await h1(page)).toBe(text('it', 'manage.title'));
      await follow(page, page.getByRole('link', { name: text('it', 'manage.cancel.link') }));
      await Promise.all([
        page.waitForURL(/esito=annullata/),
        page.getByRole('button', { name: text('it', 'manage.cancel.yes') }).click(),
      ]);
      expect(await page.locator('main').innerText()).toContain(text('it', 'manage.cancelledTitle'));
    });
  });
});

// The three locales one after the other, each at a desk of its own (its "first free time" and
// "someone else takes it" are its own) and with contacts of its own (each reads its own codes). Side
// by side (`concurrent`) they shared the CPU: each walk took ~40 s alone on the CI's machine and over
// the 60 s test time limit beside the other suites (CI of 2026-12-06 22:13); one after the other,
// each takes a third of that, and the file as long as before.
const AXE_DESKS: Record<Locale, { desk: string; phone: string; otherPhone: string }> = {
  it: { desk: 'villapizzone', phone: '333 555 7770', otherPhone: '333 555 8880' },
  en: { desk: 'gallaratese', phone: '333 555 7771', otherPhone: '333 555 8881' },
  ar: { desk: 'quarto-oggiaro', phone: '333 555 7772', otherPhone: '333 555 8882' },
};

describe('axe finds no WCAG 2.1 A/AA violation on the booking and manage pages', () => {
  it.each(['it', 'en', 'ar'] as Locale[])(
    '/%s: every step, error, confirmation, manage and cancel page',
    async (locale) => {
      const { desk, phone, otherPhone } = AXE_DESKS[locale];
      // axe is injected as an inline script, which the pages' CSP refuses: this context bypasses CSP.
      // A new visitor per locale (site.withPage: no cookies, so no draft; and a run that overran its
      // time limit and goes on in the background keeps its own context, so it cannot change the
      // draft the next locale's run starts from).
      await site.withPage({ bypassCSP: true }, async (page) => {
        const checked: string[] = [];
        const check = async (type: string) => {
          expect({ type, violations: await axeViolations(page) }).toEqual({ type, violations: [] });
          checked.push(type);
        };
        const choose = `${site.origin}/${locale}/sportelli/${desk}/prenota`;
        await page.goto(choose);
        await check('time');
        await continueButton(page, locale);
        expect(await page.locator('.error-summary').count()).toBe(1);
        await check('time with error');

        await page.locator('input[name="slot"]').first().check();
        await continueButton(page, locale);
        await check('details');
        await page.fill('#note', 'x'.repeat(201));
        await continueButton(page, locale);
        await check('details with error');
        await page.fill('#note', '');

        await continueButton(page, locale);
        await check('contact');
        await continueButton(page, locale);
        // The name and a contact (no privacy box to tick any more: public task, not consent).
        expect(await page.locator('.error-summary li').count()).toBe(2);
        await check('contact with errors');
        await fillContact(page, { firstName: 'Sam', phone, email: `sam.${locale}@example.org` });
        await continueButton(page, locale);
        await check('check answers');

        // Someone else takes the time meanwhile (another tab), then this one confirms.
        // Another person: a browser of their own (the same browser's tabs share one draft).
        await site.withPage({}, async (other) => {
          await other.goto(choose);
          await other.locator('input[name="slot"]').first().check();
          await continueButton(other, locale);
          await continueButton(other, locale);
          await fillContact(other, { firstName: 'Ali', phone: otherPhone });
          await continueButton(other, locale);
          await confirmWithCode(other, site.server, { recipient: e164(otherPhone) });
        });
        await follow(page, page.locator('#confirm'));
        expect(await h1(page)).toBe(text(locale, 'booking.taken.title'));
        await check('slot taken');
        await page.locator('input[name="slot"]').first().check();
        await continueButton(page, locale);
        await check('check answers, new time');
        await follow(page, page.getByRole('link', { name: new RegExp(text(locale, 'booking.check.when')) }));
        await check('time, changing from check answers');
        await page.locator('input[name="slot"]').first().check();
        await continueButton(page, locale);
        const reference = await confirmAndReadReference(page, locale, { recipient: e164(phone) });
        await check('confirmation');
        await page.goto(`${choose}/confermata?c=not-a-valid-link`);
        await check('confirmation link not valid');

        await page.goto(`${site.origin}/${locale}/prenotazione/annulla`);
        await check('cancel by reference');
        await page.fill('#reference', 'QB-2222-22');
        await page.fill('#phone', phone);
        await follow(page, page.getByRole('button', { name: text(locale, 'manage.lookup.submit') }));
        await check('cancel by reference, not found');
        await page.fill('#reference', reference);
        await follow(page, page.getByRole('button', { name: text(locale, 'manage.lookup.submit') }));
        expect(await h1(page)).toBe(text(locale, 'manage.cancel.title'));
        await check('cancel by reference, confirm');

        const manage = site.origin + (await manageLinkFor(reference));
        await page.goto(manage);
        await check('manage');
        await page.goto(`${manage}&azione=sposta`);
        await check('manage, move');
        await page.locator('input[name="slot"]').first().check();
        await Promise.all([
          page.waitForURL(/esito=spostata/),
          page.getByRole('button', { name: text(locale, 'manage.move.submit') }).click(),
        ]);
        await check('manage, moved');
        await page.goto(`${manage}&azione=annulla`);
        await check('manage, confirm cancel');
        await Promise.all([
          page.waitForURL(/esito=annullata/),
          page.getByRole('button', { name: text(locale, 'manage.cancel.yes') }).click(),
        ]);
        await check('manage, cancelled');
        await page.goto(`${site.origin}/${locale}/prenotazione/gestisci?token=not-a-real-token-at-all-1234`);
        await check('manage link not valid');
        await page.goto(`${site.origin}/${locale}/prenotazione/annulla?esito=annullata`);
        await check('cancelled');
        expect(checked).toHaveLength(22);
      });
    },
  );
});

describe('moving a booking by reference and phone', () => {
  it.each(MOVE_LOCALES)('/%s: the look-up, the week, the moved page, axe-clean', async (locale) => {
    await site.withPage({ bypassCSP: true }, async (page) => {
      const { reference, phone } = toMove[locale]!;
      await page.goto(`${site.origin}/${locale}/prenotazione/annulla`);
      await page.fill('#reference', reference);
      await page.fill('#phone', phone);
      await follow(page, page.getByRole('button', { name: text(locale, 'manage.lookup.submit') }));
      expect(await axeViolations(page)).toEqual([]);
      await follow(page, page.locator('a[href$="passo=sposta"]'));
      expect(await h1(page)).toBe(text(locale, 'manage.move.title'));
      expect(await axeViolations(page)).toEqual([]);
      // No time chosen: the error summary, once, in the page's language.
      await follow(page, page.getByRole('button', { name: text(locale, 'manage.move.submit') }));
      expect(await page.locator('.error-summary').innerText()).toContain(text(locale, 'booking.error.slotRequired'));
      expect(await axeViolations(page)).toEqual([]);
      await page.locator('input[name="slot"]').first().check();
      await Promise.all([
        page.waitForURL(/esito=spostata$/),
        page.getByRole('button', { name: text(locale, 'manage.move.submit') }).click(),
      ]);
      expect(await h1(page)).toBe(text(locale, 'manage.lookup.movedTitle'));
      expect(await axeViolations(page)).toEqual([]);
    });
  });
});
