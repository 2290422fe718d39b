// The phone's Back button in the booking flow, the other public forms (pledge, volunteer,
// cancel by reference) and the staff forms (sign-in, event edit, phone booking), for real in Chromium, with JavaScript on and off:
// forward through every step, Back through every step, forward again, switch language mid-flow,
// confirm, and Back from the confirmation. It fails on Chromium's "Confirm Form Resubmission"
// (ERR_CACHE_MISS) page, or when a step shows an answer lost. A form's errors are shown once, on
// the page the refused POST leads to: a reload, Back and Forward or another language show the
// answers without them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { startStaffServer, type StaffServer } from '../support/staff-http.ts';
import { SUBMIT, signIn } from './staff-support.ts';
import {
  browserSite,
  confirmThroughApi,
  confirmWithCode,
  follow,
  h1,
  LIMITS_NOT_REACHED,
  pledgeWithCode,
  text,
} from './support.ts';
import { lastCodeMailId } from '../support/codes.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';

const site = browserSite(() => startServer(LIMITS_NOT_REACHED));

/** Back or forward, as the phone's buttons do; a resubmission page or net error fails the test. */
async function travel(page: Page, direction: 'back' | 'forward'): Promise<void> {
  let failure = '';
  try {
    await (direction === 'back' ? page.goBack() : page.goForward());
  } catch (error) {
    failure = String(error);
  }
  const shown = await page.content();
  expect(failure, `${direction} to ${page.url()}`).not.toMatch(/ERR_CACHE_MISS|net::/);
  expect(shown, `${direction} to ${page.url()}`).not.toMatch(
    /ERR_CACHE_MISS|Confirm Form Resubmission|Conferma reinvio modulo/,
  );
}

async function continueTo(page: Page, locale: string, title: string): Promise<void> {
  await follow(page, page.getByRole('button', { name: text(locale, 'booking.continue'), exact: true }));
  expect(await h1(page)).toBe(text(locale, title));
}

const person = { firstName: 'Nadia', phone: '333 606 7070', note: 'Per il doposcuola di mio figlio.' };

async function expectTime(page: Page, slot: string) {
  expect(await h1(page)).toBe(text('it', 'booking.time.title'));
  expect(await page.locator(`input[name="slot"][value="${slot}"]`).isChecked()).toBe(true);
}
async function expectDetails(page: Page, locale = 'it') {
  expect(await h1(page)).toBe(text(locale, 'booking.details.title'));
  expect(await page.locator('#note').inputValue()).toBe(person.note);
  expect(await page.locator('#topic-1').isChecked()).toBe(true);
}
async function expectContact(page: Page, locale = 'it') {
  expect(await h1(page)).toBe(text(locale, 'booking.contact.title'));
  expect(await page.locator('#firstName').inputValue()).toBe(person.firstName);
  expect(await page.locator('#phone').inputValue()).toBe(person.phone);
}
async function expectCheck(page: Page, locale = 'it') {
  expect(await h1(page)).toBe(text(locale, 'booking.check.title'));
  const main = await page.locator('main').innerText();
  for (const answer of [person.firstName, person.phone, person.note]) expect(main).toContain(answer);
}

describe('the Back button in the booking flow', () => {
  it.each([true, false])(
    'keeps every answer, never asks to resend a form (JavaScript %s)',
    async (javaScriptEnabled) => {
      await site.withNewContext({ javaScriptEnabled }, async (page) => {
        await page.goto(`${site.origin}/it/sportelli/villapizzone/prenota`);
        const choice = page.locator('input[name="slot"]').nth(javaScriptEnabled ? 1 : 2);
        const slot = (await choice.getAttribute('value'))!;
        await choice.check();
        await continueTo(page, 'it', 'booking.details.title');
        await page.locator('#topic-1').check();
        await page.fill('#note', person.note);
        await continueTo(page, 'it', 'booking.contact.title');
        await page.fill('#firstName', person.firstName);
        await page.fill('#phone', person.phone);
        await continueTo(page, 'it', 'booking.check.title');
        await expectCheck(page);

        // Back through every step, then forward again.
        await travel(page, 'back');
        await expectContact(page);
        await travel(page, 'back');
        await expectDetails(page);
        await travel(page, 'back');
        await expectTime(page, slot);
        await travel(page, 'forward');
        await expectDetails(page);
        await travel(page, 'forward');
        await expectContact(page);
        await travel(page, 'forward');
        await expectCheck(page);

        // A reload of a step is a GET too: nothing to resend.
        await travel(page, 'back');
        await page.reload();
        await expectContact(page);

        // The language switcher, mid-flow: the same step in Arabic, answers kept.
        const arabic = (await page.locator('a[hreflang="ar"]').first().getAttribute('href'))!;
        expect(arabic).toBe('/ar/sportelli/villapizzone/prenota/contatti');
        await page.goto(site.origin + arabic);
        expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
        await expectContact(page, 'ar');
        await continueTo(page, 'ar', 'booking.check.title');
        await expectCheck(page, 'ar');
        await travel(page, 'back');
        await expectContact(page, 'ar');
        await travel(page, 'forward');

        await confirmWithCode(page, site.server);
        expect(await h1(page)).toBe(text('ar', 'booking.done.title'));
        const reference = (await page.locator('.panel .reference').innerText()).trim();
        // Back from the confirmation: no resubmission, no second booking, and the answers are gone.
        await travel(page, 'back');
        expect(await page.locator('main').innerText()).not.toContain(person.firstName);
        await travel(page, 'forward');
        expect((await page.locator('.panel .reference').innerText()).trim()).toBe(reference);
      });
    },
  );

  it('shows the errors of a step once; a reload, Back and Forward keep its answers without them (JavaScript off)', async () => {
    await site.withNewContext({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${site.origin}/it/sportelli/gallaratese/prenota`);
      await page.locator('input[name="slot"]').first().check();
      await continueTo(page, 'it', 'booking.details.title');
      await continueTo(page, 'it', 'booking.contact.title');
      await page.fill('#phone', '12ab');
      await follow(page, page.getByRole('button', { name: text('it', 'booking.continue'), exact: true }));
      expect(await page.locator('.error-summary li').count()).toBeGreaterThan(1);
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      await page.reload();
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      expect(await page.locator('.error-summary').count()).toBe(0);
      // Back: first the same step as it was before sending (same address, now with what was typed), then the one before.
      await travel(page, 'back');
      expect(await h1(page)).toBe(text('it', 'booking.contact.title'));
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      await travel(page, 'back');
      expect(await h1(page)).toBe(text('it', 'booking.details.title'));
      await travel(page, 'forward');
      await travel(page, 'forward');
      expect(await page.locator('#phone').inputValue()).toBe('12ab');
      expect(await page.locator('.error-summary').count()).toBe(0);
    });
  });
});

/** The language switcher's link to this page in Arabic, followed: right to left, same address. */
async function switchToArabic(page: Page, expected: string): Promise<void> {
  const arabic = (await page.locator('a[hreflang="ar"]').first().getAttribute('href'))!;
  expect(arabic).toBe(expected);
  await page.goto(site.origin + arabic);
  expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
}

const errorsShown = (page: Page) => page.locator('.error-summary').count();

/**
 * Sent with an error: the same address (a GET after the 303), errors shown; reload, Back and
 * forward keep every answer, and the errors, shown once, are gone.
 */
async function expectKeptThroughBackAndReload(
  page: Page,
  path: string,
  expectAnswers: () => Promise<void>,
): Promise<void> {
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(path);
  expect(await page.locator('.error-summary li').count()).toBeGreaterThan(0);
  await expectAnswers();
  await page.reload();
  await expectAnswers();
  expect(await errorsShown(page)).toBe(0);
  // Back: the same address as before sending, a GET that now shows what was typed; then forward.
  await travel(page, 'back');
  await expectAnswers();
  expect(await errorsShown(page)).toBe(0);
  await travel(page, 'forward');
  await expectAnswers();
  expect(await errorsShown(page)).toBe(0);
}

describe('the Back button and the language switcher on the other public forms', () => {
  it.each([true, false])(
    'pledge form: errors once, answers kept, no resubmission, none after pledging (JavaScript %s)',
    async (javaScriptEnabled) => {
      const context = await site.browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const donor = { name: `Giulia ${javaScriptEnabled}`, phone: '12ab' };
      try {
        await page.goto(`${site.origin}/it/zaino-sospeso/dona`);
        const quantity = page.locator('input[name^="qty-"]').first();
        const quantityId = (await quantity.getAttribute('id'))!;
        await quantity.fill('1');
        await page.check('#window-0');
        await page.fill('#name', donor.name);
        await page.fill('#phone', donor.phone);
        await follow(page, '#submit');
        const expectAnswers = async () => {
          expect(await page.locator(`#${quantityId}`).inputValue()).toBe('1');
          expect(await page.locator('#window-0').isChecked()).toBe(true);
          expect(await page.locator('#name').inputValue()).toBe(donor.name);
          expect(await page.locator('#phone').inputValue()).toBe(donor.phone);
        };
        expect(await page.locator('.error-summary').innerText()).toContain(text('it', 'pledge.error.phoneInvalid'));
        await expectKeptThroughBackAndReload(page, '/it/zaino-sospeso/dona', expectAnswers);

        await switchToArabic(page, '/ar/zaino-sospeso/dona');
        await expectAnswers();
        expect(await errorsShown(page)).toBe(0);
        // One open pledge per phone and window: each run pledges with a number of its own.
        await page.fill('#phone', javaScriptEnabled ? '333 606 7071' : '333 606 7072');
        await pledgeWithCode(page, site.server, javaScriptEnabled ? '+393336067071' : '+393336067072');
        expect(await h1(page)).toBe(text('ar', 'pledge.done.title'));
        const reference = await page.locator('main').innerText();
        // Back from the thanks page: the code step, which sends a confirmed pledge on to its thanks page;
        // once more: the form, with the answers gone from this phone; forward: the same pledge.
        await travel(page, 'back');
        expect(await page.locator('main').innerText()).toBe(reference);
        await travel(page, 'back');
        expect(await page.locator('#name').inputValue()).toBe('');
        await travel(page, 'forward');
        expect(await page.locator('main').innerText()).toBe(reference);
      } finally {
        await context.close();
      }
    },
  );

  it.each([true, false])(
    'volunteer sign-up: errors once, answers kept, no resubmission (JavaScript %s)',
    async (javaScriptEnabled) => {
      const context = await site.browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const volunteer = { name: 'Chiara', email: `chiara-${javaScriptEnabled}@`, note: 'Parlo anche tedesco.' };
      try {
        await page.goto(`${site.origin}/it/volontari`);
        await page.fill('#name', volunteer.name);
        await page.fill('#email', volunteer.email);
        for (const id of ['#municipi-7', '#skills-1', '#languages-0', '#availability-4']) await page.check(id);
        await page.fill('#note', volunteer.note);
        await page.check('#consent');
        await follow(page, '#submit');
        const expectAnswers = async () => {
          expect(await page.locator('#name').inputValue()).toBe(volunteer.name);
          expect(await page.locator('#email').inputValue()).toBe(volunteer.email);
          for (const id of ['#municipi-7', '#skills-1', '#languages-0', '#availability-4', '#consent'])
            expect(await page.locator(id).isChecked(), id).toBe(true);
          expect(await page.locator('#municipi-0').isChecked()).toBe(false);
          expect(await page.locator('#note').inputValue()).toBe(volunteer.note);
        };
        expect(await page.locator('.error-summary').innerText()).toContain(text('it', 'volunteer.error.emailInvalid'));
        await expectKeptThroughBackAndReload(page, '/it/volontari', expectAnswers);

        await switchToArabic(page, '/ar/volontari');
        await expectAnswers();
        expect(await errorsShown(page)).toBe(0);
        await page.fill('#email', `${volunteer.email}example.org`);
        await Promise.all([page.waitForURL(/\/volontari\/grazie$/), page.click('#submit')]);
        expect(await h1(page)).toBe(text('ar', 'volunteer.sent.title'));
        // Back: the form without the answers the server kept (the browser itself may refill what was
        // typed on that very page, here the email, from its own history).
        await travel(page, 'back');
        expect(await page.locator('#name').inputValue()).toBe('');
        expect(await page.locator('#note').inputValue()).toBe('');
        await travel(page, 'forward');
        expect(await h1(page)).toBe(text('ar', 'volunteer.sent.title'));
      } finally {
        await context.close();
      }
    },
  );

  it.each([true, false])(
    'cancel by reference: form → confirmation → cancelled, Back through each step (JavaScript %s)',
    async (javaScriptEnabled) => {
      const today = romeDateString(new Date());
      const slots = (await (
        await fetch(`${site.origin}/api/v1/desks/quarto-oggiaro/slots?from=${today}&to=${addDays(today, 61)}`)
      ).json()) as { start: string; remaining: number }[];
      const phone = javaScriptEnabled ? '+39 333 515 0001' : '+39 333 515 0002';
      const seen = lastCodeMailId(site.server.output());
      const made = await fetch(`${site.origin}/api/v1/bookings`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          desk: 'quarto-oggiaro',
          start: slots.filter((s) => s.remaining > 0)[javaScriptEnabled ? 0 : 1]!.start,
          name: 'Samira',
          phone,
          locale: 'it',
          privacyAccepted: true,
        }),
      });
      expect(made.status).toBe(201);
      const { reference } = (await made.json()) as { reference: string };
      await confirmThroughApi(site, reference, seen);
      const context = await site.browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const lookUp = () =>
        follow(
          page,
          page.getByRole('button', {
            name: text(page.url().includes('/ar/') ? 'ar' : 'it', 'manage.lookup.submit'),
            exact: true,
          }),
        );
      const expectAnswers = async (typedPhone: string) => {
        expect(await page.locator('#reference').inputValue()).toBe(reference);
        expect(await page.locator('#phone').inputValue()).toBe(typedPhone);
      };
      try {
        await page.goto(`${site.origin}/it/prenotazione/annulla`);
        await page.fill('#reference', reference);
        await page.fill('#phone', '333 000 0000');
        await lookUp();
        await expectKeptThroughBackAndReload(page, '/it/prenotazione/annulla', () => expectAnswers('333 000 0000'));
        await page.fill('#phone', phone);
        await lookUp();
        expect(new URL(page.url()).search).toBe('?passo=conferma');
        expect(await h1(page)).toBe(text('it', 'manage.cancel.title'));
        // Back: the form with both answers; forward: the confirmation again (a GET: nothing resent).
        await travel(page, 'back');
        await expectAnswers(phone);
        await travel(page, 'forward');
        expect(await h1(page)).toBe(text('it', 'manage.cancel.title'));
        await page.reload();
        expect(await h1(page)).toBe(text('it', 'manage.cancel.title'));

        await switchToArabic(page, '/ar/prenotazione/annulla?passo=conferma');
        expect(await h1(page)).toBe(text('ar', 'manage.cancel.title'));
        await follow(page, page.getByRole('button', { name: text('ar', 'manage.cancel.yes'), exact: true }));
        expect(await h1(page)).toBe(text('ar', 'manage.cancelledTitle'));
        // Back from "cancelled": the confirmation is gone (the draft with it), and the form is empty.
        await travel(page, 'back');
        expect(await h1(page)).toBe(text('ar', 'manage.lookup.title'));
        expect(await page.locator('#phone').inputValue()).toBe('');
        await travel(page, 'forward');
        expect(await h1(page)).toBe(text('ar', 'manage.cancelledTitle'));
      } finally {
        await context.close();
      }
    },
  );
});

describe('the Back button on the staff forms', () => {
  let staff: StaffServer;
  beforeAll(async () => {
    staff = await startStaffServer({ ...LIMITS_NOT_REACHED, RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000' });
  });
  afterAll(async () => {
    await staff?.stop();
  });
  const origin = () => staff.server.origin;

  /** Back to the page before, then Forward to the one that had the errors: a GET each time, the answers there, the errors shown once. */
  async function backAndForward(page: Page, expectKept: () => Promise<void>): Promise<void> {
    await travel(page, 'back');
    await travel(page, 'forward');
    await expectKept();
    await page.reload();
    await expectKept();
  }

  it.each([true, false])(
    'sign-in with a wrong password keeps the address, never the password (JavaScript %s)',
    async (javaScriptEnabled) => {
      await site.withNewContext({ javaScriptEnabled }, async (page) => {
        const account = staff.accounts.desk_operator;
        await signIn(page, origin(), account, { password: 'not the password at all' });
        const kept = async (errors: number) => {
          expect(await errorsShown(page)).toBe(errors);
          expect(await page.locator('#email').inputValue()).toBe(account.email);
          expect(await page.locator('#password').inputValue()).toBe('');
        };
        await kept(1);
        expect(page.url()).not.toContain(encodeURIComponent(account.email));
        await backAndForward(page, () => kept(0));
        // The other language shows the same answer (the error was shown once).
        await page.goto(`${origin()}/en/staff/accesso`, { waitUntil: 'load' });
        await kept(0);
        await page.fill('#password', account.password);
        await follow(page, SUBMIT);
        expect(new URL(page.url()).pathname).toBe('/en/staff');
      });
    },
  );

  it.each([true, false])(
    'an event edit with an error keeps every answer after Back and Forward (JavaScript %s)',
    async (javaScriptEnabled) => {
      await site.withNewContext({ javaScriptEnabled }, async (page) => {
        await signIn(page, origin(), staff.accounts.partner_editor);
        await page.goto(`${origin()}/it/staff/eventi/nuovo`, { waitUntil: 'load' });
        await page.fill('#title-it', `Merenda in cortile ${javaScriptEnabled}`);
        await page.fill('#summary-it', 'Merenda e giochi per bambini.');
        await page.fill('#description-it', 'Porta una merenda da condividere.');
        await page.fill('#venue', 'Cortile della biblioteca');
        await page.fill('#address', 'Via Baroni 228, Milano');
        await page.fill('#startDate', addDays(romeDateString(new Date()), 40));
        await page.fill('#startTime', '16:00');
        await page.selectOption('#municipioId', { index: 1 });
        await follow(page, '#save');
        expect(
          new URL(page.url()).searchParams.get('done'),
          (await page.locator('main').innerText()).slice(0, 600),
        ).toBe('created');
        // Edit: the title emptied (an error), the venue changed.
        await page.fill('#title-it', '');
        await page.fill('#venue', 'Sala grande della biblioteca');
        await follow(page, '#save');
        const kept = async (errors: number) => {
          expect(await page.locator('.error-summary a[href="#title-it"]').count()).toBe(errors);
          expect(await errorsShown(page)).toBe(errors);
          expect(await page.locator('#venue').inputValue()).toBe('Sala grande della biblioteca');
          expect(await page.locator('#title-it').inputValue()).toBe('');
        };
        await kept(1);
        await backAndForward(page, () => kept(0));
        await page.fill('#title-it', 'Merenda in cortile, di nuovo');
        await follow(page, '#save');
        expect(new URL(page.url()).searchParams.get('done')).toBe('saved');
        expect(await page.locator('#venue').inputValue()).toBe('Sala grande della biblioteca');
        // Back to the page with the errors: the draft is gone, the event as saved is shown.
        await travel(page, 'back');
        expect(await page.locator('#title-it').inputValue()).toBe('Merenda in cortile, di nuovo');
      });
    },
  );

  it.each([true, false])(
    'a phone booking with an error keeps the answers after Back and Forward (JavaScript %s)',
    async (javaScriptEnabled) => {
      await site.withNewContext({ javaScriptEnabled }, async (page) => {
        await signIn(page, origin(), staff.accounts.desk_operator);
        const today = romeDateString(new Date());
        const res = await fetch(`${origin()}/api/v1/desks/quarto-oggiaro/slots?from=${today}&to=${addDays(today, 55)}`);
        const slots = (await res.json()) as { start: string; remaining: number }[];
        const slot = slots.filter((s) => s.remaining > 0)[javaScriptEnabled ? 0 : 1]!;
        const day = romeDateString(new Date(slot.start));
        await page.goto(`${origin()}/it/staff/agenda/quarto-oggiaro?giorno=${day}&vista=giorno`, { waitUntil: 'load' });
        const value = new Date(slot.start).toISOString();
        await page.check(`input[name="slot"][value="${value}"]`);
        await page.fill('#phone', '333 123 4567');
        await follow(page, 'form:has(input[name="intent"][value="book"]) button[type="submit"]');
        const kept = async (errors: number) => {
          expect(await page.locator('#firstName[aria-invalid="true"]').count()).toBe(errors);
          expect(await page.locator('#phone').inputValue()).toBe('333 123 4567');
          expect(await page.locator(`input[name="slot"][value="${value}"]`).isChecked()).toBe(true);
        };
        await kept(1);
        expect(page.url()).not.toContain('4567');
        await backAndForward(page, () => kept(0));
        await page.fill('#firstName', 'Giulia');
        await follow(page, 'form:has(input[name="intent"][value="book"]) button[type="submit"]');
        expect(new URL(page.url()).searchParams.get('fatto')).toBe('booked');
        await travel(page, 'back');
        await travel(page, 'forward');
        expect(new URL(page.url()).searchParams.get('fatto')).toBe('booked');
      });
    },
  );
});
