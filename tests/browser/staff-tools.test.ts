// The coordinators' and admins' tools in Chromium: axe finds no WCAG 2.1 A/AA violation on each
// page — drop-offs (points, a window with pledges), items and targets (also with an error), volunteers
// (also filtered), users (coordinator and admin views, the role form), the invitation form (also with
// errors), the GDPR desk (empty, with an error, with results, the confirmation step) and the audit
// log — in Italian and English. With JavaScript off, a coordinator marks a pledge received and sets
// a volunteer's status, and an admin erases a person's data through the confirmation step.
//
// Accounts: the demo accounts (demo.ts), created with the fixtures before the server starts, so the
// test runs the same on the embedded database and on PostgreSQL (TEST_DATABASE_URL). The demo admin
// sets up TOTP at first sign-in, as every admin does; the code comes from @oslojs/otp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { browserSite, expectNoViolations, follow } from './support.ts';
import { passSecondFactor, signedInContext } from './staff-support.ts';
import { firstCollectionWindowId } from '../support/fixtures.ts';

const accounts: Partial<Record<DemoAccount['role'], DemoAccount>> = {};
const fx = {
  window8: 0,
  pledges: [] as string[],
  volunteer: 0,
  user: 0,
  gdprEmail: (locale: string) => `persona.${locale}@example.org`,
};

const site = browserSite(() =>
  startServer(
    { NODE_ENV: 'development', RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000' },
    {
      async prepare(db) {
        for (const a of await createDemoAccounts(db)) accounts[a.role] = a;
        fx.window8 = await firstCollectionWindowId(db, 'quarto-oggiaro');
        for (const [name, email] of [
          ['Giulia', null],
          ['Omar', null],
          ['Li', null],
          ['Persona', fx.gdprEmail('it')],
          ['Persona', fx.gdprEmail('en')],
          ['Persona', fx.gdprEmail('nojs')],
        ] as const) {
          const made = await createPledge(db, {
            campaignSlug: 'zaino-sospeso',
            lines: [
              { item: 'zaino', quantity: 1 },
              { item: 'colla', quantity: 2 },
            ],
            collectionWindowId: fx.window8,
            firstName: name,
            email,
            // One donor per pledge: a contact holds one open pledge per collection window (issue #12).
            phone: `+3902${String(40000000 + fx.pledges.length)}`,
            locale: 'it',
            submissionKey: null,
          });
          if (!made.ok) throw new Error(made.reason);
          fx.pledges.push(made.pledge.reference);
        }
        const volunteer = async (
          name: string,
          email: string,
          skills: string[],
          languages: string[],
          availability: string[],
          note: string | null,
        ) =>
          (
            await db
              .insertInto('volunteer')
              .values({
                name,
                email,
                phone: '+393331234567',
                municipi: [8],
                skills,
                languages,
                availability,
                note,
                locale: 'it',
                status: 'new',
                withdraw_key: 'k'.repeat(32),
                consent_at: new Date(),
                confirmed_at: new Date(),
              })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id;
        fx.volunteer = await volunteer(
          'Volontaria Otto',
          'otto@example.org',
          ['homework', 'translation'],
          ['it', 'ar'],
          ['mon-morning', 'sat-afternoon'],
          'Disponibile anche d’estate.',
        );
        await volunteer('Volontario Nove', 'nove@example.org', ['events'], [], [], null);
        for (const locale of ['it', 'en', 'nojs'])
          await volunteer(`Persona ${locale}`, fx.gdprEmail(locale), ['other'], [], [], null);
        const desk = (
          await db.selectFrom('desk').select('id').where('slug', '=', 'quarto-oggiaro').executeTakeFirstOrThrow()
        ).id;
        fx.user = await createUser(db, {
          email: 'operatrice@comune.example',
          displayName: 'Operatrice Prova',
          role: 'desk_operator',
          desks: [desk],
        });
      },
    },
  ),
);

/**
 * A page signed in as `role`, on the staff home. The file's first for each role signs in (the
 * admin's sets TOTP up, as every admin's first does); the others reuse that session
 * (staff-support.ts, signedInContext).
 */
async function signedIn(
  role: 'coordinator' | 'admin',
  options: { javaScriptEnabled: boolean; bypassCSP?: boolean },
): Promise<Page> {
  const { page } = await signedInContext(site, accounts[role]!, options, async (signingIn) => {
    if (role === 'admin') await passSecondFactor(signingIn, site.origin);
  });
  const home = await page.goto(`${site.origin}/it/staff`, { waitUntil: 'load' });
  expect([home?.status(), new URL(page.url()).pathname], `${role} signed in`).toEqual([200, '/it/staff']);
  return page;
}

describe.each(['it', 'en'] as const)('axe finds no violation (%s)', (locale) => {
  let page: Page;
  const go = async (path: string) => {
    const response = await page.goto(`${site.origin}/${locale}/staff/${path}`, { waitUntil: 'load' });
    expect(response?.status(), path).toBe(200);
  };

  // Each role's tab goes from page to page (a new tab is a new renderer process).
  describe('as the coordinator of Municipio 8', () => {
    beforeAll(async () => {
      page = await signedIn('coordinator', { javaScriptEnabled: true, bypassCSP: true });
    });
    afterAll(() => page?.context().close());

    it('drop-off points and windows', async () => {
      await go('raccolta');
      expect(await page.locator(`a[href$="finestra=${fx.window8}"]`).count()).toBe(1);
      await expectNoViolations(page, 'drop-off points');
    });
    it('a window with its pledges', async () => {
      await go(`raccolta?finestra=${fx.window8}`);
      expect(await page.locator('button[value="received"]').count()).toBeGreaterThan(2);
      await expectNoViolations(page, 'window');
    });
    it('items and targets, and a target refused', async () => {
      await go('raccolta/articoli');
      await expectNoViolations(page, 'items');
      await page.fill('input[id^="target-"] >> nth=0', '0');
      await follow(page, 'form:has(input[value="targets"]) button[type="submit"]');
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectNoViolations(page, 'items with an error');
    });
    it('volunteers, all and filtered', async () => {
      await go('volontari');
      expect(await page.locator(`#volunteer-${fx.volunteer}`).count()).toBe(1);
      await expectNoViolations(page, 'volunteers');
      await go('volontari?skill=translation&language=ar&availability=mon-morning&status=new');
      expect(await page.locator('.volunteers > li').count()).toBe(1);
      await expectNoViolations(page, 'volunteers filtered');
    });
    it('users (the coordinator’s view)', async () => {
      await go('utenti');
      await expectNoViolations(page, 'users, coordinator');
    });
    it('the invitation form, and its errors', async () => {
      await go('utenti/invita');
      await expectNoViolations(page, 'invite');
      await follow(page, 'form[action*="_action=staffAccounts.invite"] button[type="submit"]');
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectNoViolations(page, 'invite with errors');
    });
  });

  describe('as the admin', () => {
    beforeAll(async () => {
      page = await signedIn('admin', { javaScriptEnabled: true, bypassCSP: true });
    });
    afterAll(() => page?.context().close());

    it('users (every account) and the role form', async () => {
      await go('utenti');
      await expectNoViolations(page, 'users, admin');
      await go(`utenti?modifica=${fx.user}`);
      await expectNoViolations(page, 'role form');
    });
    it('the GDPR desk: empty, an error, results, the confirmation step', async () => {
      await go('gdpr');
      await expectNoViolations(page, 'gdpr');
      await follow(page, 'form:has(input[value="search"]) button[type="submit"]');
      expect(await page.locator('.error-summary').count()).toBe(1);
      await expectNoViolations(page, 'gdpr with an error');
      await page.fill('#email', fx.gdprEmail(locale));
      await follow(page, 'form:has(input[value="search"]) button[type="submit"]');
      expect(await page.locator('#results').count()).toBe(1);
      await expectNoViolations(page, 'gdpr results');
      await follow(page, 'button[value="confirm"]');
      expect(await page.locator('button[value="erase"]').count()).toBe(1);
      await expectNoViolations(page, 'gdpr confirmation');
    });
    it('the audit log', async () => {
      await go('audit');
      expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
      await expectNoViolations(page, 'audit');
    });
  });
});

describe('without JavaScript', () => {
  it('a coordinator marks a pledge received and sets a volunteer’s status', async () => {
    const page = await signedIn('coordinator', { javaScriptEnabled: false });
    try {
      await page.goto(`${site.origin}/it/staff/raccolta?finestra=${fx.window8}`, { waitUntil: 'load' });
      const reference = fx.pledges[0]!;
      await follow(page, `tr:has-text("${reference}") button[value="received"]`);
      expect(await page.textContent('[role="status"]')).toContain(reference);
      expect(await page.locator('#closed ~ table').textContent()).toContain(reference);

      await page.goto(`${site.origin}/it/staff/volontari?skill=homework`, { waitUntil: 'load' });
      await page.selectOption(`#status-${fx.volunteer}`, 'active');
      await follow(page, `#volunteer-${fx.volunteer} button[type="submit"]`);
      expect(new URL(page.url()).search).toContain('skill=homework');
      expect(await page.locator(`#status-${fx.volunteer} option[selected]`).getAttribute('value')).toBe('active');
    } finally {
      await page.context().close();
    }
  });

  it('an admin erases a person’s data after confirming', async () => {
    const page = await signedIn('admin', { javaScriptEnabled: false });
    try {
      await page.goto(`${site.origin}/en/staff/gdpr`, { waitUntil: 'load' });
      await page.fill('#email', fx.gdprEmail('nojs'));
      await follow(page, 'form:has(input[value="search"]) button[type="submit"]');
      await follow(page, 'button[value="confirm"]');
      await follow(page, 'button[value="erase"]');
      expect(await page.textContent('[role="status"]')).toContain(
        'Data erased: 0 bookings, 1 pledges, 1 volunteer sign-ups',
      );
      await page.fill('#email', fx.gdprEmail('nojs'));
      await follow(page, 'form:has(input[value="search"]) button[type="submit"]');
      expect(await page.textContent('#results ~ p')).toContain('No data stored');
    } finally {
      await page.context().close();
    }
  });
});
