// The waiting list in Chromium with JavaScript off, in Arabic (issue #13): the seeded 22 December
// party made 2 seats and filled by a family (through the API); the event page says "full — join the
// waiting list"; the next family joins from the form and proves its email with the 6-digit code
// (typed in Arabic-Indic digits); its email link shows its position; the first
// family's "we can't come" frees the seats; the offer's email link opens the offer, and "yes, we'll
// come" makes it a confirmed sign-up. axe finds nothing on the join form, its code step and the
// status page (waiting, offered, answered) in Arabic, Italian and English; at 320 px the join form
// (as sent and refused), the code step, the status page and the desk's form fit the screen in every locale.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { codeSentTo } from '../support/codes.ts';
import { LOCALES } from '#/lib/locales.ts';
import {
  browserSite,
  expectNoViolations,
  follow,
  h1,
  inArabicDigits,
  LIMITS_NOT_REACHED,
  linkFromEmail,
  text,
} from './support.ts';

const fx = { slug: '', status: '' };

const site = browserSite(() =>
  startServer(LIMITS_NOT_REACHED, {
    async prepare(db) {
      const event = await db
        .updateTable('event')
        .set({ seats: 2 })
        .where('slug', 'like', 'festa-di-natale-qubi-casa-dei-giochi-%')
        .returning('slug')
        .executeTakeFirstOrThrow();
      fx.slug = event.slug;
    },
  }),
);

let axePage: Page;
beforeAll(async () => {
  // axe is injected as an inline script, which the pages' CSP refuses: only this context bypasses it.
  // One tab goes from page to page (a new tab is a new renderer process).
  axePage = await (await site.browser.newContext({ bypassCSP: true })).newPage();
});

const api = (path: string, body: unknown) =>
  fetch(`${site.origin}/api/v1/events/${fx.slug}/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

async function seatsLeft(): Promise<number | undefined> {
  const events = (await (await fetch(`${site.origin}/api/v1/events`)).json()) as {
    slug: string;
    seats: { left: number } | null;
  }[];
  return events.find((e) => e.slug === fx.slug)?.seats?.left;
}

/** Fills the join form of `page` for a family of one with `email`, and sends it: the code step comes. */
async function joinAs(page: Page, locale: string, email: string) {
  await page.goto(`${site.origin}/${locale}/eventi/${fx.slug}/lista-attesa`, { waitUntil: 'load' });
  await page.fill('#name', 'Famiglia Esposito-Abdelrahman');
  await page.fill('#email', email);
  await follow(page, page.getByRole('button', { name: text(locale, 'waitlist.submit'), exact: true }));
  expect(new URL(page.url()).search).toBe('?passo=codice');
  expect(await page.locator('main h2').first().innerText()).toBe(text(locale, 'waitlist.code.title'));
}

async function axe(path: string, what: string) {
  await axePage.goto(`${site.origin}${path}`, { waitUntil: 'load' });
  await expectNoViolations(axePage, what);
}

describe('full → waiting list → offer → accept, JavaScript off, in Arabic', () => {
  it('gives the freed seats to the waiting family', async () => {
    // The first family takes both seats.
    const first = await api('registrations', { adults: 2, name: 'Giulia', email: 'giulia@example.org', locale: 'it' });
    expect(first.status).toBe(201);
    const { reference } = (await first.json()) as { reference: string };
    const code = await codeSentTo(site.server.output, 'giulia@example.org');
    expect((await api(`registrations/${reference}/confirm`, { code })).status).toBe(200);
    expect(await seatsLeft()).toBe(0);

    await site.withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${site.origin}/ar/eventi/${fx.slug}`, { waitUntil: 'load' });
      expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
      expect(await page.locator('main').innerText()).toContain(text('ar', 'waitlist.full'));
      await follow(page, page.getByRole('link', { name: text('ar', 'waitlist.join'), exact: true }));
      expect(new URL(page.url()).pathname).toBe(`/ar/eventi/${fx.slug}/lista-attesa`);

      await page.fill('#adults', '١');
      await page.fill('#children_3_6', '1');
      await page.fill('#name', 'سارة');
      await page.fill('#email', 'sara@example.org');
      await follow(page, page.getByRole('button', { name: text('ar', 'waitlist.submit'), exact: true }));
      // Not in line yet: the code sent to the email, typed on an Arabic keyboard.
      expect(await page.locator('main h2').first().innerText()).toBe(text('ar', 'waitlist.code.title'));
      expect(await page.locator('#code').getAttribute('autocomplete')).toBe('one-time-code');
      await page.fill('#code', inArabicDigits(await codeSentTo(site.server.output, 'sara@example.org')));
      await follow(page, page.getByRole('button', { name: text('ar', 'waitlist.code.submit'), exact: true }));
      expect(await page.locator('[role="status"]').innerText()).toContain(text('ar', 'waitlist.joined'));
      await axe(new URL(page.url()).pathname + new URL(page.url()).search, 'joined');

      // The link in the email shows the family its place.
      const status = await linkFromEmail(
        site.server,
        'waitlist_joined',
        'QW-',
        /https?:\/\/\S+lista-attesa\?token=\S+/,
      );
      fx.status = status;
      await page.goto(`${site.origin}${status}`, { waitUntil: 'load' });
      expect(await h1(page)).toBe(text('ar', 'waitlist.status.title'));
      const [before] = text('ar', 'waitlist.position').split('{{position}}');
      expect(await page.locator('main').innerText()).toMatch(new RegExp(`${before}(1|١)`));
      await axe(status, 'status, waiting (ar)');

      // The first family (Italian) cannot come: its link's page, one button.
      const cancel = await linkFromEmail(
        site.server,
        'event_registration_confirmation',
        reference,
        /https?:\/\/\S+non-veniamo\S+/,
      );
      await page.goto(`${site.origin}${cancel}`, { waitUntil: 'load' });
      await follow(page, page.getByRole('button', { name: text('it', 'events.cancel.submit'), exact: true }));

      // The offer's email link opens the same status page, now with the offer.
      const offer = await linkFromEmail(site.server, 'waitlist_offer', 'QW-', /https?:\/\/\S+lista-attesa\?token=\S+/);
      expect(offer).toBe(status);
      await page.goto(`${site.origin}${offer}`, { waitUntil: 'load' });
      for (const locale of ['ar', 'it', 'en']) await axe(offer.replace('/ar/', `/${locale}/`), `offer (${locale})`);
      await follow(page, page.getByRole('button', { name: text('ar', 'waitlist.status.accept'), exact: true }));
      expect(await page.locator('[role="status"]').innerText()).toBe(text('ar', 'waitlist.status.outcome.accettata'));
      expect(await seatsLeft()).toBe(0);
      await axe(new URL(page.url()).pathname + new URL(page.url()).search, 'accepted');

      // The confirmation of the new sign-up reaches the family, with its own "we can't come".
      await linkFromEmail(site.server, 'event_registration_confirmation', 'QE-', /https?:\/\/\S+non-veniamo\S+/);
    });
  });

  it.each(['it', 'en', 'ar'])('axe: the join form and its code step in /%s', async (locale) => {
    await axe(`/${locale}/eventi/${fx.slug}/lista-attesa`, `join form (${locale})`);
    // The code step lives in this browser's draft: joined and checked in the same (axe) context.
    await joinAs(axePage, locale, `axe-${locale}@example.org`);
    await expectNoViolations(axePage, `code step (${locale})`);
  });

  it.each(LOCALES)('at 320 px the pages fit the screen in /%s', async (locale) => {
    const phone = {
      viewport: { width: 320, height: 640 },
      screen: { width: 320, height: 640 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      javaScriptEnabled: false,
    };
    await site.withPage(phone, async (page) => {
      const fits = async (what: string) => {
        const m = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        }));
        expect(m, what).toEqual({ scrollWidth: 320, innerWidth: 320 });
      };
      await page.goto(`${site.origin}/${locale}/eventi/${fx.slug}/lista-attesa`, { waitUntil: 'load' });
      await fits('join form');
      // Refused (no contact): the error summary and the field errors.
      await page.fill('#name', 'Famiglia Esposito-Abdelrahman');
      await follow(page, page.getByRole('button', { name: text(locale, 'waitlist.submit'), exact: true }));
      await fits('join form, refused');
      await joinAs(page, locale, `narrow-${locale}@example.org`);
      await fits('code step');
      await page.goto(`${site.origin}${fx.status.replace('/ar/', `/${locale}/`)}`, { waitUntil: 'load' });
      await fits('status page');
      await page.goto(`${site.origin}/${locale}/sportelli/quarto-oggiaro/avvisami`, { waitUntil: 'load' });
      await fits('desk form');
    });
  });
});

describe('Back and the language switcher on the code step, JavaScript off', () => {
  it('Back and "join" again lead to the same code step, the answers kept; the switcher keeps the step', async () => {
    await site.withNewContext({ javaScriptEnabled: false }, async (page) => {
      const list = `/it/eventi/${fx.slug}/lista-attesa`;
      const submit = () => follow(page, page.getByRole('button', { name: text('it', 'waitlist.submit'), exact: true }));
      await page.goto(`${site.origin}${list}`, { waitUntil: 'load' });
      await page.fill('#adults', '2');
      await page.fill('#name', 'Nadia Indietro');
      await page.fill('#email', 'nadia.indietro@example.org');
      await submit();
      expect(new URL(page.url()).search).toBe('?passo=codice');
      await page.goBack();
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(list);
      expect(await page.locator('#name').inputValue()).toBe('Nadia Indietro');
      expect(await page.locator('#adults').inputValue()).toBe('2');
      await submit();
      expect(new URL(page.url()).search).toBe('?passo=codice');
      expect(await page.locator('.error-summary').count()).toBe(0);

      // The same step in Ukrainian, and its code puts the family in line.
      await follow(page, page.locator('a[hreflang="uk"]').first());
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(
        `/uk/eventi/${fx.slug}/lista-attesa?passo=codice`,
      );
      expect(await page.locator('main h2').first().innerText()).toBe(text('uk', 'waitlist.code.title'));
      await page.fill('#code', await codeSentTo(site.server.output, 'nadia.indietro@example.org'));
      await follow(page, page.getByRole('button', { name: text('uk', 'waitlist.code.submit'), exact: true }));
      expect(await page.locator('[role="status"]').innerText()).toContain(text('uk', 'waitlist.joined'));
    });
  });
});
