// A family's sign-up for an event's seats in Chromium (issue #13), on the seeded 22 December party
// (120 sample seats): the whole sign-up with JavaScript off in Arabic (event page → party form →
// code step → confirmed; the seats left go down by the party); axe finds nothing on the party form
// (as sent and refused), the code step (as sent and with a wrong code), the confirmation, "we can't
// come" (before and after) in Italian, English and Arabic, and the door list in the staff area's
// Italian and English; Back, Forward and the
// language switcher on the refused party form keep the answers; "use email instead" on the code step. Widths: phone-width.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import {
  browserSite,
  expectNoViolations,
  follow,
  h1,
  inArabicDigits,
  LIMITS_NOT_REACHED,
  cantComeLink,
  text,
} from './support.ts';

const fx = { slug: '', eventId: 0, coordinatorSession: '' };

const site = browserSite(() =>
  startServer(LIMITS_NOT_REACHED, {
    async prepare(db) {
      const event = await db
        .selectFrom('event')
        .select(['id', 'slug'])
        .where('slug', 'like', 'festa-di-natale-qubi-casa-dei-giochi-%')
        .executeTakeFirstOrThrow();
      fx.slug = event.slug;
      fx.eventId = event.id;
      // The coordinator of the event's municipio (2), second step passed, for the door list.
      const id = await createUser(db, {
        email: 'coord2@comune.example',
        displayName: 'Coordinatrice',
        role: 'coordinator',
        municipi: [2],
      });
      fx.coordinatorSession = generateSessionToken();
      await createSession(db, fx.coordinatorSession, id, { twoFactorVerified: true });
    },
  }),
);

let axePage: Page;
beforeAll(async () => {
  // axe is injected as an inline script, which the pages' CSP refuses: only this context bypasses it.
  const axeContext = await site.browser.newContext({ bypassCSP: true });
  await axeContext.addCookies([
    { name: 'qubi_session', value: fx.coordinatorSession, url: site.origin, httpOnly: true, sameSite: 'Lax' },
  ]);
  // One tab goes from page to page, test after test (a new tab is a new renderer process).
  axePage = await axeContext.newPage();
});

const eventPage = (locale: string) => `${site.origin}/${locale}/eventi/${fx.slug}`;

/** The seats left the event page shows, read from its "N seats left" sentence. */
async function seatsLeft(page: Page, locale: string): Promise<number> {
  await page.goto(eventPage(locale), { waitUntil: 'load' });
  const section = await page.locator('section[aria-labelledby="seats-title"]').innerText();
  const [before, after] = text(locale, 'events.seats.left').split('{{seats}}');
  const m = new RegExp(`${escape(before!)}([0-9\u0660-\u0669]+)${escape(after!)}`).exec(section);
  expect(m, section).not.toBeNull();
  return Number(m![1]!.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)));
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The code step's code, from the newest code message above `seen`, typed as `typed` makes it. */
async function enterCode(page: Page, seen: number, typed: (code: string) => string = (c) => c): Promise<void> {
  let after = seen;
  // An earlier hold's message written late is refused; the next newer one is this hold's.
  for (let tries = 0; tries < 4 && /\/codice$/.test(page.url()); tries++) {
    const { id, code } = await nextCodeFromMail(site.server.output, after);
    await page.fill('#code', typed(code));
    await follow(page, page.getByRole('button', { name: text(localeOf(page), 'events.code.submit'), exact: true }));
    after = id;
  }
  expect(new URL(page.url()).pathname).toBe(`/${localeOf(page)}/eventi/${fx.slug}/iscritti`);
}
const localeOf = (page: Page) => new URL(page.url()).pathname.split('/')[1]!;

const submitParty = (page: Page, locale: string) =>
  follow(page, page.getByRole('button', { name: text(locale, 'events.register.submit'), exact: true }));

describe('the whole sign-up without JavaScript, in Arabic', () => {
  it('event page → party form → code (Arabic digits) → confirmed; the seats left go down by the party', async () => {
    await site.withPage({ javaScriptEnabled: false }, async (page) => {
      const before = await seatsLeft(page, 'ar');
      await follow(page, page.getByRole('link', { name: text('ar', 'events.seats.signUp'), exact: true }));
      expect(new URL(page.url()).pathname).toBe(`/ar/eventi/${fx.slug}/iscrizione`);
      expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');

      await page.fill('#adults', '٢');
      await page.fill('#children_0_3', '1');
      await page.fill('#name', 'أمينة');
      await page.fill('#phone', '333 123 9876');
      const seen = lastCodeMailId(site.server.output());
      await submitParty(page, 'ar');
      expect(new URL(page.url()).pathname).toBe(`/ar/eventi/${fx.slug}/codice`);
      expect(await h1(page)).toBe(text('ar', 'events.code.title'));
      expect(await page.locator('main').innerText()).toContain('9876');

      await enterCode(page, seen, inArabicDigits);
      expect(await h1(page)).toBe(text('ar', 'events.confirmed.title'));
      expect(await page.locator('main').innerText()).toMatch(/QE-[A-Z0-9]{4}-[A-Z0-9]{2}/);
      expect(await seatsLeft(page, 'ar')).toBe(before - 3);
    });
  });
});

describe('axe finds no WCAG 2.1 A/AA violation on the sign-up pages and the door list', () => {
  it.each(['it', 'en', 'ar'])('/%s', async (locale) => {
    const page = axePage;
    await page.goto(`${eventPage(locale)}/iscrizione`, { waitUntil: 'load' });
    await expectNoViolations(page, 'party form');
    // No contact: refused, with the error summary and the answers kept.
    await page.fill('#adults', '1');
    await page.fill('#name', 'Nadia');
    await submitParty(page, locale);
    expect(await page.locator('.error-summary').count()).toBe(1);
    await expectNoViolations(page, 'party form, with errors');

    await page.fill('#email', `axe.${locale}@example.org`);
    const seen = lastCodeMailId(site.server.output());
    await submitParty(page, locale);
    expect(await h1(page)).toBe(text(locale, 'events.code.title'));
    await expectNoViolations(page, 'code step');
    await page.fill('#code', '000 000');
    await follow(page, page.getByRole('button', { name: text(locale, 'events.code.submit'), exact: true }));
    expect(await page.locator('.error-summary').count()).toBe(1);
    await expectNoViolations(page, 'code step, wrong code');

    await enterCode(page, seen);
    await expectNoViolations(page, 'confirmed');
    const cancel = await cantComeLink(page, site.server);
    await page.goto(site.origin + cancel, { waitUntil: 'load' });
    await expectNoViolations(page, "we can't come");
    await follow(page, page.getByRole('button', { name: text(locale, 'events.cancel.submit'), exact: true }));
    expect(await page.locator('main').innerText()).toContain(text(locale, 'events.cancel.done'));
    await expectNoViolations(page, "we can't come, done");

    // The door list, in the staff area's languages (Italian and English).
    if (locale === 'ar') return;
    const door = `/${locale}/staff/eventi/${fx.eventId}/ingresso`;
    const response = await page.goto(site.origin + door, { waitUntil: 'load' });
    expect([response?.status(), new URL(page.url()).pathname]).toEqual([200, door]);
    await expectNoViolations(page, 'door list');
  });
});

describe('"use email instead" on the code step, as on the booking\'s', () => {
  it.each(['it', 'en', 'ar'].map((locale, i) => [locale, i] as const))(
    '/%s: a code sent by SMS goes by email to the address written there; a wrong address is said',
    async (locale, i) => {
      const page = axePage;
      await page.goto(`${eventPage(locale)}/iscrizione`, { waitUntil: 'load' });
      await page.fill('#adults', '1');
      await page.fill('#name', 'Nadia');
      await page.fill('#phone', `333 777 00${i}0`);
      await submitParty(page, locale);
      expect(await page.locator('main').innerText()).toContain(text(locale, 'events.code.sentSms'));
      await expectNoViolations(page, 'code step sent by SMS, with "use email instead"');

      await page.fill('#code-email', 'not an address');
      await follow(page, '#use-email');
      expect(new URL(page.url()).pathname).toBe(`/${locale}/eventi/${fx.slug}/codice`);
      const error = text(locale, 'events.register.error.emailInvalid');
      expect(await page.locator('.error-summary').innerText()).toContain(error);
      expect(await page.locator('.field-error').innerText()).toContain(error);
      await expectNoViolations(page, '"use email instead", refused');

      const seen = lastCodeMailId(site.server.output());
      await page.fill('#code-email', `Nadia.${locale}@Example.org`);
      await follow(page, '#use-email');
      const main = await page.locator('main').innerText();
      expect(main).toContain(text(locale, 'events.code.sentEmail'));
      expect(main).toContain('n•••@example.org');
      expect(main).toContain(text(locale, 'events.code.said.resent'));
      // The code in the email confirms the seats.
      await enterCode(page, seen);
      expect(await h1(page)).toBe(text(locale, 'events.confirmed.title'));
    },
  );
});

describe('Back, Forward and the language switcher on the party form', () => {
  it.each([true, false])('keep the answers (JavaScript %s)', async (javaScriptEnabled) => {
    await site.withNewContext({ javaScriptEnabled }, async (page) => {
      const answers = { adults: '2', children_3_6: '1', children_11_14: '1', name: 'Nadia Back', phone: '' };
      const expectAnswers = async (locale: string) => {
        expect(new URL(page.url()).pathname).toBe(`/${locale}/eventi/${fx.slug}/iscrizione`);
        for (const [field, value] of Object.entries(answers))
          expect(await page.locator(`#${field}`).inputValue(), `${locale} ${field}`).toBe(value);
        expect(await page.locator('#locale').inputValue()).toBe('es');
      };
      await page.goto(`${eventPage('it')}/iscrizione`, { waitUntil: 'load' });
      for (const [field, value] of Object.entries(answers)) await page.fill(`#${field}`, value);
      await page.selectOption('#locale', 'es');
      // No contact yet: refused, the answers kept.
      await submitParty(page, 'it');
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectAnswers('it');

      // The language switcher: the same form in Arabic, the answers kept.
      await follow(page, page.locator('a[hreflang="ar"]').first());
      expect(new URL(page.url()).pathname).toBe(`/ar/eventi/${fx.slug}/iscrizione`);
      await expectAnswers('ar');

      for (const direction of ['back', 'forward'] as const) {
        let failure = '';
        try {
          await (direction === 'back' ? page.goBack() : page.goForward());
        } catch (error) {
          failure = String(error);
        }
        expect(failure, direction).not.toMatch(/ERR_CACHE_MISS|net::/);
        expect(await page.content(), direction).not.toMatch(/ERR_CACHE_MISS|Confirm Form Resubmission/);
        await expectAnswers(direction === 'back' ? 'it' : 'ar');
      }
    });
  });

  it('Back from the code step and "sign up" again lead to the same code step; the seats are held once', async () => {
    await site.withNewContext({ javaScriptEnabled: false }, async (page) => {
      const before = await seatsLeft(page, 'it');
      await page.goto(`${eventPage('it')}/iscrizione`, { waitUntil: 'load' });
      await page.fill('#adults', '2');
      await page.fill('#name', 'Nadia Indietro');
      await page.fill('#phone', '333 999 1212');
      const seen = lastCodeMailId(site.server.output());
      await submitParty(page, 'it');
      expect(new URL(page.url()).pathname).toBe(`/it/eventi/${fx.slug}/codice`);
      await page.goBack();
      expect(new URL(page.url()).pathname).toBe(`/it/eventi/${fx.slug}/iscrizione`);
      expect(await page.locator('#name').inputValue()).toBe('Nadia Indietro');
      await submitParty(page, 'it');
      expect(new URL(page.url()).pathname).toBe(`/it/eventi/${fx.slug}/codice`);
      expect(await page.locator('.error-summary').count()).toBe(0);
      await enterCode(page, seen);
      expect(await seatsLeft(page, 'it')).toBe(before - 2);
    });
  });
});
