// The Designers Italia model's pieces in a real Chromium (issue #14): the header at 320 px with
// JavaScript off (the menu folds into <details>, the language targets are at least 24 px), the
// site search, the rating component's whole flow without JavaScript (in Arabic too), and the
// Contatti page; axe clean on each.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startStaffServer } from '../support/staff-http.ts';
import { browserSite, expectNoViolations, follow, text } from './support.ts';
import { LOCALE_NAMES, LOCALES, type Locale } from '#/lib/locales.ts';

const site = browserSite(() => startStaffServer());
const noJs = { javaScriptEnabled: false };
const phone = { ...noJs, viewport: { width: 320, height: 640 } };

/** axe needs a script on the page: the address a no-JavaScript step reached, checked again with scripts on. */
async function expectNoViolationsAt(page: Page, what: string): Promise<void> {
  const url = page.url();
  const viewport = page.viewportSize() ?? undefined;
  await site.withPage({ viewport, bypassCSP: true }, async (scripted) => {
    await scripted.goto(url, { waitUntil: 'load' });
    await expectNoViolations(scripted, what);
  });
}

const noHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('the header', () => {
  it.each(['it', 'ar', 'bn', 'tl'])('folds the menu on a 320 px phone without JavaScript (%s)', async (locale) => {
    await site.withPage(phone, async (page) => {
      await page.goto(`${site.origin}/${locale}/eventi`, { waitUntil: 'load' });
      const menu = page.locator('details.menu');
      const desks = menu.locator('[data-element="all-services"]');
      expect(await desks.isVisible()).toBe(false);
      await menu.locator('summary').click();
      await desks.waitFor({ state: 'visible' });
      // The links stack in one column: none shares a row with another.
      const tops = await menu.locator('nav a').evaluateAll((as) => as.map((a) => a.getBoundingClientRect().top));
      expect(new Set(tops).size).toBe(tops.length);
      expect(await noHorizontalScroll(page)).toBe(true);
      // The institution bar names the Comune and links to it.
      expect(await page.locator('.slim a.institution').getAttribute('href')).toBe('https://www.comune.milano.it');
      await expectNoViolationsAt(page, `header at 320 px, ${locale}`);
    });
  });

  it.each(['it', 'ar', 'bn'])(
    'folds the languages into a menu naming the page’s language on a 320 px phone, each link keeping the page (%s)',
    async (locale) => {
      await site.withPage(phone, async (page) => {
        await page.goto(`${site.origin}/${locale}/faq`, { waitUntil: 'load' });
        const languages = page.locator('details.lang-menu');
        const summary = languages.locator('summary');
        expect(await summary.innerText()).toContain(LOCALE_NAMES[locale as Locale]);
        const box = (await summary.boundingBox())!;
        expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
        expect(await languages.locator('nav.langs a').first().isVisible()).toBe(false);
        await summary.click();
        await languages.locator('nav.langs a').first().waitFor({ state: 'visible' });
        // Every language, each a target of at least 24 × 24 px, none wider than the phone.
        const boxes = await languages
          .locator('nav.langs a')
          .evaluateAll((as) => as.map((a) => a.getBoundingClientRect()).map((r) => [r.width, r.height]));
        expect(boxes).toHaveLength(LOCALES.length);
        for (const [w, h] of boxes) expect(Math.min(w!, h!)).toBeGreaterThanOrEqual(24);
        expect(await noHorizontalScroll(page)).toBe(true);
        // axe needs a script on the page: the same menu opened with scripts on.
        await site.withPage({ viewport: phone.viewport, bypassCSP: true }, async (scripted) => {
          await scripted.goto(page.url(), { waitUntil: 'load' });
          await scripted.locator('details.lang-menu summary').click();
          await expectNoViolations(scripted, `languages open at 320 px, ${locale}`);
        });
        // A language keeps the page.
        await follow(page, languages.locator('nav.langs a[hreflang="bn"]'));
        expect(new URL(page.url()).pathname).toBe('/bn/faq');
        expect(await page.locator('html').getAttribute('lang')).toBe('bn');
      });
    },
  );

  it('shows the menu and the languages as rows on a wide screen, with no menu buttons', async () => {
    await site.withPage({ ...noJs, viewport: { width: 1280, height: 800 } }, async (page) => {
      await page.goto(`${site.origin}/it`, { waitUntil: 'load' });
      expect(await page.locator('details.menu summary').isVisible()).toBe(false);
      expect(await page.locator('details.lang-menu summary').isVisible()).toBe(false);
      const languages = page.locator('nav.langs a');
      expect(await languages.count()).toBe(LOCALES.length);
      const languageTops = await languages.evaluateAll((as) =>
        as.map((a) => Math.round(a.getBoundingClientRect().top)),
      );
      expect(new Set(languageTops).size).toBe(1);
      const links = page.locator('[data-element="main-navigation"] a');
      const tops = await links.evaluateAll((as) => as.map((a) => Math.round(a.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);
      await follow(page, links.first());
      expect(new URL(page.url()).pathname).toBe('/it/sportelli');
    });
  });
});

describe('the site search', () => {
  it('finds a desk from the header without JavaScript, on a phone', async () => {
    await site.withPage(phone, async (page) => {
      await page.goto(`${site.origin}/it/faq`, { waitUntil: 'load' });
      await follow(page, page.locator('[data-element="search-modal-button"]'));
      await page.fill('[data-element="search-modal-input"]', 'Gallaratese');
      await follow(page, page.locator('[data-element="search-submit"]'));
      expect(await page.locator('#results-count').innerText()).toContain('Gallaratese');
      expect(await page.locator('main a[href="/it/sportelli/gallaratese"]').count()).toBeGreaterThan(0);
      expect(await noHorizontalScroll(page)).toBe(true);
      await expectNoViolationsAt(page, 'search results');
    });
  });
});

describe('"Valuta questo servizio" without JavaScript', () => {
  it.each(['it', 'ar'])('stars, follow-up, comment and thanks (%s)', async (locale) => {
    await site.withPage(phone, async (page) => {
      await page.goto(`${site.origin}/${locale}/faq`, { waitUntil: 'load' });
      const feedback = page.locator('[data-element="feedback"]');
      expect(await feedback.locator('[data-element="feedback-title"]').innerText()).toBe(
        text(locale, 'rating.title.page'),
      );
      await expectNoViolationsAt(page, `rating stars, ${locale}`);
      // One to five in reading order (right to left in Arabic), in one row, though the source has them 5 to 1.
      const boxes = await feedback
        .locator('[data-element^="feedback-rate-"]')
        .evaluateAll((labels) =>
          labels.map((l) => [l.getAttribute('data-element'), l.getBoundingClientRect().x, l.getBoundingClientRect().y]),
        );
      const inReadingOrder = [...boxes].sort(([, a], [, b]) =>
        locale === 'ar' ? Number(b) - Number(a) : Number(a) - Number(b),
      );
      expect(inReadingOrder.map(([name]) => name)).toEqual([1, 2, 3, 4, 5].map((n) => `feedback-rate-${n}`));
      expect(new Set(boxes.map(([, , y]) => y)).size).toBe(1);
      await feedback.locator('[data-element="feedback-rate-2"]').click();
      await follow(page, feedback.getByRole('button', { name: text(locale, 'rating.next') }));

      expect(await page.locator('[data-element="feedback-rating-question"]').innerText()).toBe(
        text(locale, 'rating.question.negative'),
      );
      expect(await page.locator('[data-element="feedback-rating-answer"]').count()).toBe(5);
      await expectNoViolationsAt(page, `rating question, ${locale}`);
      await page.getByLabel(text(locale, 'rating.answer.unclear')).check();
      await follow(page, page.getByRole('button', { name: text(locale, 'rating.next') }));

      await page.fill(
        '[data-element="feedback-input-text"]',
        locale === 'ar' ? 'المواعيد غير واضحة' : 'Orari poco chiari',
      );
      await expectNoViolationsAt(page, `rating comment, ${locale}`);
      await follow(page, page.getByRole('button', { name: text(locale, 'rating.send') }));
      expect(await page.locator('main [role="status"]').innerText()).toBe(text(locale, 'rating.thanks'));
      expect(await noHorizontalScroll(page)).toBe(true);

      // Back to the page rated.
      await follow(page, page.getByRole('link', { name: text(locale, 'rating.backToPage') }));
      expect(new URL(page.url()).pathname).toBe(`/${locale}/faq`);
    });
  });

  it('says what is missing when no star was chosen, in the page’s language', async () => {
    await site.withPage(noJs, async (page) => {
      await page.goto(`${site.origin}/es/sportelli`, { waitUntil: 'load' });
      await follow(
        page,
        page.locator('[data-element="feedback"]').getByRole('button', { name: text('es', 'rating.next') }),
      );
      expect(await page.locator('.error-summary').innerText()).toContain(text('es', 'rating.error.score'));
      await expectNoViolationsAt(page, 'rating refused');
    });
  });
});

describe('Contatti', () => {
  it.each(['it', 'ar'])('lists each network’s email and phone, marked as sample values (%s)', async (locale) => {
    await site.withPage(phone, async (page) => {
      await page.goto(`${site.origin}/${locale}/contatti`, { waitUntil: 'load' });
      expect(await page.locator('.contacts > li').count()).toBe(9);
      expect(await page.locator('.contacts a[href^="mailto:"]').count()).toBe(9);
      expect(await page.locator('.contacts a[href^="tel:"]').count()).toBe(9);
      expect(await page.locator('.contacts .tag').first().innerText()).toBe(text(locale, 'common.sampleData'));
      expect(await page.locator('#comune a[href^="tel:"]').innerText()).toBe('020202');
      expect(await noHorizontalScroll(page)).toBe(true);
      await expectNoViolationsAt(page, `contacts, ${locale}`);
    });
  });

  it('gives the network’s contact where a municipio has no desk yet', async () => {
    await site.withPage(noJs, async (page) => {
      await page.goto(`${site.origin}/it/sportelli?municipio=1`, { waitUntil: 'load' });
      const note = page.locator('#network-contact');
      expect(await note.locator('a[href^="mailto:"]').innerText()).toContain('@');
      expect(await note.locator('a[href^="tel:"]').count()).toBe(1);
      await follow(page, note.getByRole('link', { name: text('it', 'comune.contacts.allContacts') }));
      expect(new URL(page.url()).pathname).toBe('/it/contatti');
    });
  });
});
