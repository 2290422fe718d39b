// The two steps of issue #12 that only a browser shows as a family lives them, with JavaScript off:
// an online booking with a landline only is asked for a mobile or an email (the code cannot reach a
// landline), in Arabic, right to left, and goes on once an email is given; and on the code step, a
// wrong code, then the phone's Back and Forward: no "Confirm Form Resubmission", the error shown
// once, and the right code still confirms the booking afterwards.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { browserSite, follow, h1, LIMITS_NOT_REACHED, text } from './support.ts';

const site = browserSite(() => startServer(LIMITS_NOT_REACHED));

async function continueTo(page: Page, locale: string, title: string): Promise<void> {
  await follow(page, page.getByRole('button', { name: text(locale, 'booking.continue'), exact: true }));
  expect(await h1(page)).toBe(text(locale, title));
}

/** Back or forward as the phone's buttons do: a resubmission page or a network error fails. */
async function travel(page: Page, direction: 'back' | 'forward'): Promise<void> {
  await (direction === 'back' ? page.goBack() : page.goForward());
  expect(await page.content(), `${direction} to ${page.url()}`).not.toMatch(
    /ERR_CACHE_MISS|Confirm Form Resubmission|Conferma reinvio modulo/,
  );
}

/** Time, details and contact of a booking at a desk, up to the page that checks the answers. */
async function answerUpToCheck(
  page: Page,
  locale: string,
  desk: string,
  contact: { firstName: string; phone: string },
): Promise<void> {
  await page.goto(`${site.origin}/${locale}/sportelli/${desk}/prenota`);
  await page.locator('input[name="slot"]').first().check();
  await continueTo(page, locale, 'booking.details.title');
  await continueTo(page, locale, 'booking.contact.title');
  await page.fill('#firstName', contact.firstName);
  await page.fill('#phone', contact.phone);
}

const errorSummary = (page: Page) => page.locator('.error-summary');

describe('the code step in a browser (JavaScript off)', () => {
  it('a landline only is asked for a mobile or an email, in Arabic; with an email the code goes there', async () => {
    await site.withPage({ javaScriptEnabled: false }, async (page) => {
      await answerUpToCheck(page, 'ar', 'gallaratese', { firstName: 'سلمى', phone: '02 8844 1234' });
      await follow(page, page.getByRole('button', { name: text('ar', 'booking.continue'), exact: true }));
      // Still the contact step, right to left, the landline kept, and why in the error summary.
      expect(await h1(page)).toBe(text('ar', 'booking.contact.title'));
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await errorSummary(page).innerText()).toContain(text('ar', 'booking.error.mobileOrEmail'));
      expect(await page.locator('#phone').inputValue()).toBe('02 8844 1234');
      expect(await page.locator('#phone').getAttribute('aria-invalid')).toBe('true');

      await page.fill('#email', 'salma@example.org');
      await continueTo(page, 'ar', 'booking.check.title');
      const seen = lastCodeMailId(site.server.output());
      await Promise.all([page.waitForURL(/\/prenota\/codice$/), page.locator('#confirm').click()]);
      const main = await page.locator('main').innerText();
      expect(main).toContain(text('ar', 'booking.code.sentEmail'));
      expect(main).not.toContain(text('ar', 'booking.code.sentSms'));
      const { code } = await nextCodeFromMail(site.server.output, seen);
      await page.fill('#code', code);
      await follow(page, '#confirm-code');
      await page.waitForURL(/\/prenota\/confermata\?c=/);
      expect(await h1(page)).toBe(text('ar', 'booking.done.title'));
    });
  });

  it('a wrong code, then Back and Forward: no resubmission, the error shown once, the right code still confirms', async () => {
    await site.withNewContext({ javaScriptEnabled: false }, async (page) => {
      await answerUpToCheck(page, 'it', 'villapizzone', { firstName: 'Marta', phone: '347 555 1212' });
      await continueTo(page, 'it', 'booking.check.title');
      const seen = lastCodeMailId(site.server.output());
      await Promise.all([page.waitForURL(/\/prenota\/codice$/), page.locator('#confirm').click()]);
      const codeStep = page.url();
      const { code } = await nextCodeFromMail(site.server.output, seen);
      const wrong = code === '000000' ? '111111' : '000000';

      await page.fill('#code', wrong);
      await follow(page, '#confirm-code');
      expect(page.url()).toBe(codeStep);
      expect(await errorSummary(page).innerText()).toContain(text('it', 'booking.error.codeWrong', { count: '4' }));

      // Back: the code step as it was before sending, a GET without the error; Forward the same.
      await travel(page, 'back');
      expect(page.url()).toBe(codeStep);
      expect(await h1(page)).toBe(text('it', 'booking.code.title'));
      expect(await errorSummary(page).count()).toBe(0);
      await travel(page, 'forward');
      expect(await h1(page)).toBe(text('it', 'booking.code.title'));
      expect(await errorSummary(page).count()).toBe(0);
      // A reload is a GET too: the error is not shown again, nothing is sent again.
      await page.reload();
      expect(await errorSummary(page).count()).toBe(0);

      // The hold was kept through all of it: the right code confirms it.
      await page.fill('#code', code);
      await follow(page, '#confirm-code');
      await page.waitForURL(/\/prenota\/confermata\?c=/);
      expect(await h1(page)).toBe(text('it', 'booking.done.title'));
      // Back from the confirmation: no resubmission, and no code asked for again.
      await travel(page, 'back');
      expect(await h1(page)).not.toBe(text('it', 'booking.code.title'));
    });
  });
});
