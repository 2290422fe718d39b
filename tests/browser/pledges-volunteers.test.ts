// Pledges and volunteer sign-ups in a real browser: a donor pledges with JavaScript off in Arabic
// (phone only) and with JavaScript on in Italian (email), meeting the error summary on the way and
// downloading the calendar file; a volunteer signs up with JavaScript off; and axe finds no WCAG
// 2.1 A/AA violation on any pledge or volunteer page type in any locale.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import {
  axeViolations,
  browserSite,
  confirmPledgeThroughApi,
  follow,
  h1,
  LIMITS_NOT_REACHED,
  pledgeWithCode,
  text,
} from './support.ts';

/** A code as an Arabic keyboard types it: Arabic-Indic digits, a space in the middle. */
const arabicIndic = (code: string) =>
  [...code].map((d, i) => (i === 3 ? ' ' : '') + String.fromCharCode(0x0660 + Number(d))).join('');
import { loggedMails } from '../support/mail-log.ts';
import { findPart, parseMime } from '../support/mime.ts';
import { HREFLANG, LOCALES as SITE_LOCALES, type Locale } from '#/lib/locales.ts';

const site = browserSite(() => startServer(LIMITS_NOT_REACHED));

async function remaining(item: string): Promise<number> {
  const c = (await (await fetch(`${site.origin}/api/v1/campaigns/zaino-sospeso`)).json()) as {
    items: { slug: string; remaining: number }[];
  };
  return c.items.find((i) => i.slug === item)!.remaining;
}

async function downloadCalendar(page: Page): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('main a[href*="consegna.ics"]').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.ics$/);
  return readFile((await download.path())!, 'utf8');
}

/** Fills the pledge form; the first collection window unless told otherwise. */
async function fillPledge(
  page: Page,
  values: { item: string; quantity: string; name: string; phone?: string; email?: string; window?: number },
) {
  await page.fill(`#qty-${values.item}`, values.quantity);
  await page
    .locator('input[name="window"]')
    .nth(values.window ?? 0)
    .check();
  await page.fill('#name', values.name);
  if (values.phone) await page.fill('#phone', values.phone);
  if (values.email) await page.fill('#email', values.email);
}

async function pledgeJourney(
  page: Page,
  locale: Locale,
  person: { name: string; phone?: string; email?: string },
  item: string,
) {
  const before = await remaining(item);
  // From the campaign page's button.
  await page.goto(`${site.origin}/${locale}/zaino-sospeso`);
  await follow(page, page.getByRole('link', { name: text(locale, 'pledge.cta'), exact: true }));
  expect(new URL(page.url()).pathname).toBe(`/${locale}/zaino-sospeso/dona`);
  expect(await h1(page)).toBe(text(locale, 'pledge.form.title'));
  const field = page.locator(`#qty-${item}`);
  expect(await field.getAttribute('max')).toBe(String(before));
  // The field says how many are still needed, in its description.
  expect(await field.getAttribute('aria-describedby')).toBe(`qty-${item}-hint`);
  expect(await page.locator(`#qty-${item}-hint`).innerText()).toBe(
    text(locale, 'pledge.form.stillNeeded', { n: String(before) }),
  );

  // Sent empty: the error summary has the focus, each problem links to its field.
  await follow(page, page.locator('#submit'));
  expect(await h1(page)).toBe(text(locale, 'pledge.form.title'));
  const summary = page.locator('.error-summary');
  expect(await summary.isVisible()).toBe(true);
  // `autofocus` is applied when the browser next renders (the HTML standard's "flush autofocus
  // candidates"), which may come after the load event on a busy machine: waited for, up to 5 s.
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.classList.contains('error-summary')), { timeout: 5000 })
    .toBe(true);
  expect(await summary.locator('a').first().innerText()).toBe(text(locale, 'pledge.error.itemsRequired'));
  await summary.locator('a[href="#name"]').click();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('name');

  // (Arabic-Indic digits typed into the field are read by the server too: tests/http covers them.)
  await fillPledge(page, { item, quantity: '2', ...person });
  // Held until the code sent to the contact is typed (by SMS to a mobile, else by email).
  await pledgeWithCode(page, site.server, person.email ?? '+393516818198', {
    typed: locale === 'ar' ? arabicIndic : undefined,
  });
  expect(await h1(page)).toBe(text(locale, 'pledge.done.title'));
  const reference = (await page.locator('.panel .reference').innerText()).trim();
  expect(reference).toMatch(/^ZS-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
  expect(await page.locator('main').innerText()).toContain(
    person.email ? text(locale, 'pledge.done.change.email') : text(locale, 'pledge.done.change.phone'),
  );
  const ics = await downloadCalendar(page);
  expect(ics).toContain('BEGIN:VEVENT');
  expect(ics).toContain(`UID:pledge-${reference}@`);
  expect(await remaining(item)).toBe(before - 2);

  // The campaign page shows the new numbers at once.
  await page.goto(`${site.origin}/${locale}/zaino-sospeso`);
  const progress = page.locator(`progress[aria-labelledby="item-${item}"]`);
  expect(Number(await progress.getAttribute('max')) - Number(await progress.getAttribute('value'))).toBe(before - 2);
  return reference;
}

describe('pledging', () => {
  it('works with JavaScript off, in Arabic, with a phone number only', async () => {
    await site.withPage({ javaScriptEnabled: false, acceptDownloads: true }, (page) =>
      pledgeJourney(page, 'ar', { name: 'أمينة', phone: '٣٥١ ٦٨١ ٨١٩٨' }, 'pastelli'),
    );
  });

  it('works with JavaScript on, in Italian, with an email', async () => {
    await site.withPage({ acceptDownloads: true }, (page) =>
      pledgeJourney(page, 'it', { name: 'Giulia', email: 'giulia@example.org' }, 'astuccio'),
    );
  });
});

describe('volunteer sign-up', () => {
  it('works with JavaScript off: checkboxes, the availability table and the error summary', async () => {
    await site.withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${site.origin}/en`);
      await follow(page, page.locator('a[href="/en/volontari"]'));
      expect(await h1(page)).toBe(text('en', 'volunteer.form.title'));
      await page.fill('#name', 'Sam Rossi');
      await page.fill('#email', 'sam@example.org');
      await page.getByLabel(/^Municipio 8/).check();
      await page.getByLabel(text('en', 'volunteer.skill.translation')).check();
      // Each cell of the table is a checkbox labelled with its day and part of the day.
      await page.getByLabel('Tuesday, Evening', { exact: true }).check();
      await page.getByLabel('Saturday, Morning', { exact: true }).check();
      await page.check('#consent');
      await follow(page, page.locator('#submit'));

      // Translation without a language: one error, the answers kept.
      expect(await page.locator('.error-summary a').allInnerTexts()).toEqual([
        text('en', 'volunteer.error.languagesRequired'),
      ]);
      expect(await page.getByLabel('Tuesday, Evening', { exact: true }).isChecked()).toBe(true);
      expect(await page.inputValue('#email')).toBe('sam@example.org');
      await page.getByLabel('Arabic', { exact: true }).check();
      await Promise.all([page.waitForURL(/\/en\/volontari\/grazie$/), page.locator('#submit').click()]);
      expect(await h1(page)).toBe(text('en', 'volunteer.sent.title'));
    });
  });
});

describe('axe finds no WCAG 2.1 A/AA violation on the pledge and volunteer pages', () => {
  // Every locale of the site (src/lib/locales.ts): Latin, right-to-left Arabic, Chinese, Cyrillic and Bengali script.
  const LOCALES: readonly Locale[] = SITE_LOCALES;
  // axe-core is injected as an inline script, which the pages' CSP (rightly) refuses: only this context bypasses CSP.
  // One tab goes from page to page: a new tab is a new renderer process (about 0.2 s of CPU each).
  let axeContext: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    axeContext = await site.browser.newContext({ bypassCSP: true });
    page = await axeContext.newPage();
  });
  afterAll(async () => {
    await axeContext?.close();
  });

  // One open pledge per contact and window: each pledge made here has an address of its own.
  let pledges = 0;
  async function manageUrl(locale: Locale): Promise<string> {
    const c = (await (await fetch(`${site.origin}/api/v1/campaigns/zaino-sospeso`)).json()) as {
      collectionWindows: { id: number; dropOffPoint: string }[];
    };
    const w = c.collectionWindows[0]!;
    const email = `axe-${locale}-${pledges++}@example.org`;
    const res = await fetch(`${site.origin}/api/v1/pledges`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        campaign: 'zaino-sospeso',
        items: [{ item: 'colla', quantity: 1 }],
        dropOffPoint: w.dropOffPoint,
        collectionWindow: w.id,
        name: 'Axe',
        email,
        locale,
        privacyAccepted: true,
      }),
    });
    expect(res.status).toBe(201);
    // Held until its code confirms it: the manage link comes with the confirmation.
    const { reference } = (await res.json()) as { reference: string };
    const url = new URL((await confirmPledgeThroughApi(site, reference, email)).manageUrl!);
    return url.pathname + url.search;
  }

  async function signUp(locale: Locale, tag: string): Promise<string> {
    const email = `axe-${tag}-${locale}@example.org`;
    const res = await fetch(`${site.origin}/api/v1/volunteers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Axe', email, municipi: [8], skills: ['events'], locale, consent: true }),
    });
    expect(res.status).toBe(201);
    return email;
  }

  /** The confirmation email of a volunteer sign-up, as the file mailer writes it (the worker runs every 5 s). */
  async function confirmationEmail(locale: Locale, email: string): Promise<{ confirm: string; withdraw: string }> {
    // The mail worker writes a message once it is queued: looked for every 50 ms, for up to 30 s.
    for (let i = 0; i < 600; i++) {
      for (const mail of await loggedMails(
        site.server.output(),
        'volunteer_confirm_address',
        /\/volontari\/conferma\?token=/,
      )) {
        const raw = mail.raw;
        if (!raw.includes(`To: ${email}`)) continue;
        // The text part decoded (quoted-printable, or base64 where most of the text is not ASCII, as
        // in Bengali), so the links can be read.
        const decoded = findPart(parseMime(raw), 'text/plain')?.body ?? '';
        const withdraw = /https?:\/\/[^\s"<>]+\/volontari\/ritira\?token=[0-9]+\.[A-Za-z0-9_-]{43}/.exec(decoded)?.[0];
        const path = (u: string) => new URL(u).pathname + new URL(u).search;
        return { confirm: path(mail.url), withdraw: withdraw ? path(withdraw) : '' };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no confirmation email for ${email}`);
  }

  /** Each page type: how to reach it in a locale. */
  const pageTypes: [string, (page: Page, locale: Locale) => Promise<void>][] = [
    ['pledge form', async (page, l) => void (await page.goto(`${site.origin}/${l}/zaino-sospeso/dona`))],
    [
      'pledge form with errors',
      async (page, l) => {
        await page.goto(`${site.origin}/${l}/zaino-sospeso/dona`);
        await page.fill('#email', 'not-an-email');
        await page.fill('#qty-zaino', '1000');
        await follow(page, page.locator('#submit'));
        expect(await page.locator('.error-summary').count()).toBe(1);
      },
    ],
    [
      'pledge confirmation',
      async (page, l) => {
        // The same visitor as the step before: the form shows the answers it refused (kept an hour,
        // its errors shown once), and they correct them.
        await page.goto(`${site.origin}/${l}/zaino-sospeso/dona`);
        expect(await page.locator('.error-summary').count()).toBe(0);
        expect(await page.locator('#email').inputValue()).toBe('not-an-email');
        await page.fill('#email', '');
        await page.fill('#qty-zaino', '');
        await fillPledge(page, { item: 'diario', quantity: '1', name: 'Axe', phone: `33312345${LOCALES.indexOf(l)}7` });
        await pledgeWithCode(page, site.server, `+3933312345${LOCALES.indexOf(l)}7`);
      },
    ],
    [
      'pledge code step',
      async (page, l) => {
        await page.goto(`${site.origin}/${l}/zaino-sospeso/dona`);
        await fillPledge(page, { item: 'diario', quantity: '1', name: 'Axe', phone: `33312346${LOCALES.indexOf(l)}7` });
        await Promise.all([page.waitForURL(/\/zaino-sospeso\/codice\?c=/), page.locator('#submit').click()]);
        expect(await page.locator('input[autocomplete="one-time-code"]').count()).toBe(1);
      },
    ],
    [
      'pledge confirmation, link expired',
      async (page, l) => void (await page.goto(`${site.origin}/${l}/zaino-sospeso/grazie?c=bad`)),
    ],
    ['pledge manage', async (page, l) => void (await page.goto(site.origin + (await manageUrl(l))))],
    [
      'pledge manage, change with errors',
      async (page, l) => {
        await page.goto(site.origin + (await manageUrl(l)));
        await page.fill('#qty-colla', '1000');
        await follow(page, page.locator('#save'));
        expect(await page.locator('.error-summary').count()).toBe(1);
      },
    ],
    [
      'pledge manage, cancel',
      async (page, l) => void (await page.goto(`${site.origin}${await manageUrl(l)}&azione=annulla`)),
    ],
    [
      'pledge manage, not found',
      async (page, l) => void (await page.goto(`${site.origin}/${l}/zaino-sospeso/gestisci?token=nope`)),
    ],
    ['volunteer form', async (page, l) => void (await page.goto(`${site.origin}/${l}/volontari`))],
    [
      'volunteer form with errors',
      async (page, l) => {
        await page.goto(`${site.origin}/${l}/volontari`);
        await page.check('#skills-3');
        await follow(page, page.locator('#submit'));
        expect(await page.locator('.error-summary').count()).toBe(1);
      },
    ],
    ['volunteer check your email', async (page, l) => void (await page.goto(`${site.origin}/${l}/volontari/grazie`))],
    [
      'volunteer check your email, with the code box and a wrong code',
      async (page, l) => {
        // A sign-up with a mobile phone: the code sent by SMS can be typed on the same page.
        await page.goto(`${site.origin}/${l}/volontari`);
        await page.fill('#name', 'Axe');
        await page.fill('#email', `axe-code-${l}@example.org`);
        await page.fill('#phone', `333 500 000${LOCALES.indexOf(l)}`);
        await page.check('#municipi-0');
        // The form with errors above kept its answers for the hour (translation, without languages).
        await page.uncheck('#skills-3');
        await page.check('#skills-0');
        await page.check('#consent');
        await follow(page, page.locator('#submit'));
        expect(await page.locator('#code').getAttribute('autocomplete')).toBe('one-time-code');
        await page.fill('#code', '12');
        await follow(page, '#confirm-code');
        expect(await page.locator('.error-summary').innerText()).toContain(text(l, 'booking.error.codeFormat'));
      },
    ],
    [
      'volunteer confirmation link (asks, confirms nothing)',
      async (page, l) => {
        await page.goto(site.origin + (await confirmationEmail(l, await signUp(l, 'ask'))).confirm);
        expect(await h1(page)).toBe(text(l, 'volunteer.confirm.title'));
      },
    ],
    [
      'volunteer confirmed',
      async (page, l) => {
        // The link of the email, then its button (a POST from the page itself, JavaScript or not).
        await page.goto(site.origin + (await confirmationEmail(l, await signUp(l, 'confirm'))).confirm);
        await Promise.all([
          page.waitForURL(/\/volontari\/conferma\?esito=confermato$/),
          // The page's own form: the rating component's comes after it.
          page.locator('form button[type="submit"]').first().click(),
        ]);
        expect(await h1(page)).toBe(text(l, 'volunteer.confirmed.title'));
      },
    ],
    [
      'volunteer link expired',
      async (page, l) => void (await page.goto(`${site.origin}/${l}/volontari/conferma?token=${'x'.repeat(43)}`)),
    ],
    [
      'volunteer withdraw',
      async (page, l) => void (await page.goto(`${site.origin}/${l}/volontari/ritira?token=1.${'a'.repeat(43)}`)),
    ],
    [
      'volunteer withdrawn',
      async (page, l) => {
        // The real thing: the link of the email, then the button (a POST from the page itself).
        const { withdraw } = await confirmationEmail(l, await signUp(l, 'withdraw'));
        expect(withdraw).toMatch(/\/volontari\/ritira\?token=/);
        await page.goto(site.origin + withdraw);
        await Promise.all([
          page.waitForURL(/\/volontari\/ritira\?esito=ritirato$/),
          // The page's own form: the rating component's comes after it.
          page.locator('form button[type="submit"]').first().click(),
        ]);
        expect(await h1(page)).toBe(text(l, 'volunteer.withdraw.doneTitle'));
      },
    ],
  ];

  it.each(LOCALES.flatMap((l) => pageTypes.map(([name, open]) => [l, name, open] as const)))(
    '/%s %s',
    async (locale, _name, open) => {
      await open(page, locale);
      expect(await page.locator('h1').count()).toBe(1);
      expect(await page.getAttribute('html', 'lang')).toBe(HREFLANG[locale]);
      expect(await axeViolations(page)).toEqual([]);
    },
  );
});
