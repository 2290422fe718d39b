// Issue #15 in Chromium without JavaScript: the admin's TOTP set-up shows a QR code drawn on the
// server whose image decodes (jsQR, from the rendered pixels) to the same otpauth:// URI as the key
// shown beside it; and a change to a published event keeps the published version live while the
// reviewer sees it field by field (old → new) and approves it.
import { describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import { romeDateString } from '#/lib/time.ts';
import { addDays } from '#/features/booking/slots.ts';
import { browserSite, expectNoViolations, follow } from './support.ts';
import { freshTotpCode, passSecondFactor, signIn as signInAs, SUBMIT } from './staff-support.ts';

const accounts: Partial<Record<DemoAccount['role'], DemoAccount>> = {};
let adminSecret = '';

const site = browserSite(() =>
  startServer(
    { NODE_ENV: 'development' },
    { prepare: async (db) => void (await createDemoAccounts(db)).forEach((a) => (accounts[a.role] = a)) },
  ),
);

/**
 * Signed in without JavaScript; `axe`: with scripts and past the CSP instead, for axe-core only
 * (it is injected as an inline script). An admin with TOTP on passes the second step.
 */
async function signIn(
  role: 'partner_editor' | 'admin',
  options: { axe?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await site.browser.newContext(
    options.axe ? { javaScriptEnabled: true, bypassCSP: true } : { javaScriptEnabled: false },
  );
  const page = await context.newPage();
  await signInAs(page, site.origin, accounts[role]!);
  if (role === 'admin' && adminSecret) await passSecondFactor(page, site.origin, adminSecret);
  return { context, page };
}

/** The QR code's pixels as the browser draws the SVG (in a page of its own, scripts on), read by jsQR. */
async function decodeQr(svg: string): Promise<string | undefined> {
  const context = await site.browser.newContext();
  try {
    const page = await context.newPage();
    const pixels = await page.evaluate(async (markup) => {
      const image = new Image();
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 400;
      canvas.height = 400;
      const g = canvas.getContext('2d')!;
      g.imageSmoothingEnabled = false;
      g.drawImage(image, 0, 0, 400, 400);
      return Array.from(g.getImageData(0, 0, 400, 400).data);
    }, svg);
    return jsQR(Uint8ClampedArray.from(pixels), 400, 400)?.data;
  } finally {
    await context.close();
  }
}

describe('two-step set-up', () => {
  it('shows, without JavaScript, a QR code that holds the key written beside it', async () => {
    const admin = await signIn('admin');
    const page = admin.page;
    try {
      expect(new URL(page.url()).pathname).toBe('/it/staff/account/due-fattori');
      const svg = await page.locator('figure.totp-qr svg').evaluate((el) => el.outerHTML);
      const uri = await page.locator('a[href^="otpauth://"]').getAttribute('href');
      const shownKey = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
      const decoded = await decodeQr(svg);
      expect(decoded).toBe(uri);
      expect(new URL(decoded!).searchParams.get('secret')).toBe(shownKey);
      expect(await page.locator('figure.totp-qr figcaption').innerText()).toContain('QR');
    } finally {
      await admin.context.close();
    }
  });

  it('the set-up page with its QR code has no axe violation; the admin turns TOTP on', async () => {
    const admin = await signIn('admin', { axe: true });
    const page = admin.page;
    try {
      expect(new URL(page.url()).pathname).toBe('/it/staff/account/due-fattori');
      await expectNoViolations(page, 'TOTP set-up with its QR code');
      adminSecret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
      await page.fill('#code', await freshTotpCode(adminSecret));
      await follow(page, SUBMIT);
      expect(await page.locator('ol.recovery-codes li').count()).toBe(10);
    } finally {
      await admin.context.close();
    }
  });
});

describe('a change to a published event, without JavaScript', () => {
  it('keeps the published version live and shows the reviewer what changed', async () => {
    const day = addDays(romeDateString(new Date()), 25);
    const partner = await signIn('partner_editor');
    const p = partner.page;
    await p.goto(`${site.origin}/it/staff/eventi/nuovo`, { waitUntil: 'load' });
    await p.fill('#title-it', 'Merenda in cortile');
    await p.fill('#summary-it', 'Merenda e giochi per le famiglie del quartiere.');
    await p.fill('#description-it', 'Porta una tazza.');
    await p.fill('#venue', 'Comunità Oklahoma');
    await p.fill('#address', 'Via Costantino Baroni 228, Milano');
    await p.fill('#startDate', day);
    await p.fill('#startTime', '16:00');
    await p.selectOption('#municipioId', '5');
    await follow(p, '#save');
    const eventPath = new URL(p.url()).pathname;
    await follow(p, 'form:has(input[name="intent"][value="submit"]) button');

    const admin = await signIn('admin');
    const a = admin.page;
    await a.goto(site.origin + eventPath, { waitUntil: 'load' });
    await follow(a, 'form:has(input[name="intent"][value="publish"]) button');
    const list = await (await fetch(`${site.origin}/it/eventi`)).text();
    const slug = /href="\/it\/eventi\/(merenda-in-cortile[a-z0-9-]*)"/.exec(list)![1];

    // The partner fixes the time: the public page keeps 16:00 meanwhile.
    await p.goto(site.origin + eventPath, { waitUntil: 'load' });
    await p.fill('#startTime', '17:30');
    await follow(p, '#save');
    expect(await p.locator('[role="status"]').innerText()).toContain('resta la versione pubblicata');
    const live = await (await fetch(`${site.origin}/it/eventi/${slug}`)).text();
    expect(live).toContain('16:00');
    expect(live).not.toContain('17:30');

    // The reviewer sees the one field changed, old → new, and the preview with the change.
    await a.goto(site.origin + eventPath, { waitUntil: 'load' });
    const changes = a.locator('.change-list li');
    expect(await changes.count()).toBe(1);
    expect(await changes.locator('h3').innerText()).toBe('Ora di inizio');
    expect(await changes.locator('del').innerText()).toBe('16:00');
    expect(await changes.locator('ins').innerText()).toBe('17:30');
    // The same page checked by axe, and at 320 px without horizontal scroll (a context with scripts).
    const checker = await signIn('admin', { axe: true });
    try {
      await checker.page.goto(site.origin + eventPath, { waitUntil: 'load' });
      await expectNoViolations(checker.page, 'the reviewer’s view of a waiting change');
      await checker.page.setViewportSize({ width: 320, height: 800 });
      expect(await checker.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    } finally {
      await checker.context.close();
    }
    await follow(a, 'nav.preview a[hreflang="ar"]');
    expect(await a.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await a.locator('main').innerText()).toContain('17:30');
    await a.goto(site.origin + eventPath, { waitUntil: 'load' });
    await follow(a, 'form:has(input[name="intent"][value="publish"]) button');
    const after = await (await fetch(`${site.origin}/it/eventi/${slug}`)).text();
    expect(after).toContain('17:30');
    await partner.context.close();
    await admin.context.close();
  });
});
