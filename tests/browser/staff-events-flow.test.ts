// End to end in a browser without JavaScript: a partner writes an event and sends it for review, the
// admin publishes it, and families see it on the public site with its Markdown rendered.
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import { romeDateString } from '#/lib/time.ts';
import { addDays } from '#/features/booking/slots.ts';
import { browserSite, follow } from './support.ts';
import { passSecondFactor, signIn as signInAs } from './staff-support.ts';

const accounts: Partial<Record<DemoAccount['role'], DemoAccount>> = {};

const site = browserSite(() =>
  startServer(
    { NODE_ENV: 'development' },
    { prepare: async (db) => void (await createDemoAccounts(db)).forEach((a) => (accounts[a.role] = a)) },
  ),
);

/** Signs in without JavaScript; an admin sets up the second factor on the way (required for admins). */
async function signIn(role: 'partner_editor' | 'admin'): Promise<{ context: BrowserContext; page: Page }> {
  const account = accounts[role]!;
  const context = await site.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAs(page, site.origin, account);
  if (role === 'admin') await passSecondFactor(page, site.origin);
  return { context, page };
}

describe('event publishing, without JavaScript', () => {
  it('a partner writes and submits, the admin publishes, the public sees it', async () => {
    const day = addDays(romeDateString(new Date()), 20);
    const partner = await signIn('partner_editor');
    const p = partner.page;
    await p.goto(`${site.origin}/it/staff/eventi/nuovo`, { waitUntil: 'load' });
    await p.fill('#title-it', 'Laboratorio di lettura in famiglia');
    await p.fill('#summary-it', 'Storie e giochi per bambini da 3 a 6 anni.');
    await p.fill('#description-it', 'Porta un libro da scambiare.\n\n**Ingresso libero**, merenda per tutti.');
    await p.fill('#title-en', 'Family reading workshop');
    await p.fill('#venue', 'Comunità Oklahoma');
    await p.fill('#address', 'Via Costantino Baroni 228, Milano');
    await p.fill('#startDate', day);
    await p.fill('#startTime', '16:00');
    await p.selectOption('#municipioId', '5');
    await follow(p, '#save');
    expect(new URL(p.url()).pathname).toMatch(/^\/it\/staff\/eventi\/\d+$/);
    const eventPath = new URL(p.url()).pathname;
    await follow(p, 'form:has(input[name="intent"][value="submit"]) button');
    expect(await p.textContent('main')).toContain('in attesa di approvazione');
    // Not public until published.
    const before = await (await fetch(`${site.origin}/it/eventi`)).text();
    expect(before).not.toContain('Laboratorio di lettura in famiglia');
    await partner.context.close();

    const admin = await signIn('admin');
    const a = admin.page;
    await a.goto(site.origin + eventPath, { waitUntil: 'load' });
    await follow(a, 'form:has(input[name="intent"][value="publish"]) button');
    await admin.context.close();

    const list = await (await fetch(`${site.origin}/it/eventi`)).text();
    expect(list).toContain('Laboratorio di lettura in famiglia');
    const english = await (await fetch(`${site.origin}/en/eventi`)).text();
    expect(english).toContain('Family reading workshop');
    const slug = /href="\/it\/eventi\/(laboratorio-di-lettura-in-famiglia[a-z0-9-]*)"/.exec(list)![1];
    const page = await (await fetch(`${site.origin}/it/eventi/${slug}`)).text();
    expect(page).toContain('<strong>Ingresso libero</strong>');
  });
});
