// Phones: no page is ever wider than the screen. Chromium's mobile emulation (meta viewport honoured,
// touch, a phone's pixel ratio) at 320 and 360 CSS px opens every public page type in every
// locale — including each booking step, the pledge and volunteer forms in their error state, the
// confirmation and the manage page, an event's sign-up (party form, refused, code step, confirmed,
// "we can't come" before and after) — and every staff page in Italian and English (the staff area's
// two languages), with real rows in their tables. On each it checks
// `document.documentElement.scrollWidth <= window.innerWidth` (and that the browser did not zoom out
// to fit a wider page), and in Arabic that the h1 is on screen at load (no empty strip, no cut
// heading). Each page is loaded once and checked at both widths, the phone turned from one to the
// other (as its screen would be), so one walk of the forms serves both. Each walk (a locale's public
// pages, a staff locale's pages) is a phone of its own, and three phones walk side by side (most of
// a page load is waiting for the server or the other phone): see `walks` below.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Cookie, Locator, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { findPart, parseMime } from '../support/mime.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import {
  browserSite,
  confirmWithCode,
  CONTENT_PAGES,
  e164,
  firstEventPath,
  LIMITS_NOT_REACHED,
  cantComeLink,
  text,
} from './support.ts';
import { passSecondFactor, signIn, SUBMIT } from './staff-support.ts';
import { firstCollectionWindowId } from '../support/fixtures.ts';
import { codeSentTo } from '../support/codes.ts';

const WIDTHS = [320, 360] as const;
const LOCALES = ['it', 'en', 'ar', 'es', 'zh', 'tl', 'uk', 'bn'] as const;
const STAFF_LOCALES = ['it', 'en'] as const;
type Locale = (typeof LOCALES)[number];

let admin: DemoAccount;
/** The signed-in admin's session cookie, set up once (TOTP included) and given to each phone context. */
let adminCookies: Cookie[] = [];
const fx = { window8: 0, bookedDay: '', eventId: '', seatsEventId: 0, seatsEventSlug: '' };

const site = browserSite(() =>
  startServer(
    { NODE_ENV: 'development', ...LIMITS_NOT_REACHED },
    {
      async prepare(db) {
        admin = (await createDemoAccounts(db)).find((a) => a.role === 'admin')!;
        // Rows in the staff tables, with long values, so their width is measured with content.
        fx.window8 = await firstCollectionWindowId(db, 'quarto-oggiaro');
        const made = await createPledge(db, {
          campaignSlug: 'zaino-sospeso',
          lines: [
            { item: 'zaino', quantity: 1 },
            { item: 'colla', quantity: 2 },
          ],
          collectionWindowId: fx.window8,
          firstName: 'Mariagiovanna',
          email: 'mariagiovanna.esempio@example.org',
          phone: '+393123456789',
          locale: 'it',
          submissionKey: null,
        });
        if (!made.ok) throw new Error(made.reason);
        // The seeded 22 December party (120 sample seats): its sign-up pages and its door list.
        const party = await db
          .selectFrom('event')
          .select(['id', 'slug'])
          .where('slug', 'like', 'festa-di-natale-qubi-casa-dei-giochi-%')
          .executeTakeFirstOrThrow();
        fx.seatsEventId = party.id;
        fx.seatsEventSlug = party.slug;
        // A family already signed up, with a long name, so the door list is measured with a row.
        await db
          .insertInto('event_registration')
          .values({
            reference: 'QE-WIDE-01',
            event_id: party.id,
            adults: 2,
            children_0_3: 1,
            children_6_11: 2,
            seats: 5,
            name: 'Famiglia Con Un Nome Molto Lungo',
            phone: '+393331112222',
            email: null,
            locale: 'ar',
            status: 'confirmed',
          })
          .execute();
        await db.updateTable('event').set({ seats_taken: 5 }).where('id', '=', party.id).execute();
        await db
          .insertInto('volunteer')
          .values({
            name: 'Volontaria Con Un Nome Lungo',
            email: 'volontaria.con.un.nome.lungo@example.org',
            phone: '+393001234568',
            municipi: [8],
            skills: ['homework', 'translation'],
            languages: ['it', 'ar'],
            availability: ['mon-morning', 'sat-afternoon'],
            note: 'Disponibile anche d’estate.',
            locale: 'it',
            status: 'new',
            withdraw_key: 'k'.repeat(32),
            consent_at: new Date(),
            confirmed_at: new Date(),
          })
          .execute();
      },
    },
  ),
);
// The public walks start as soon as the site is up, beside the admin's set-up below (startPublicWalks).
beforeAll(startPublicWalks);
beforeAll(async () => {
  // A booking in the desk operator's agenda, with an email and a long note.
  const today = romeDateString(new Date());
  const slots = (await (
    await fetch(`${site.origin}/api/v1/desks/quarto-oggiaro/slots?from=${today}&to=${addDays(today, 55)}`)
  ).json()) as { start: string; remaining: number }[];
  const slot = slots.find((s) => s.remaining > 0)!;
  const res = await fetch(`${site.origin}/api/v1/bookings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      desk: 'quarto-oggiaro',
      start: slot.start,
      name: 'Mariagiovanna',
      phone: '333 000 2222',
      email: 'mariagiovanna.esempio@example.org',
      topic: 'orientation',
      note: 'Documenti per la mensa scolastica e per il doposcuola del quartiere',
      locale: 'it',
      privacyAccepted: true,
    }),
  });
  expect(res.status).toBe(201);
  // Confirmed with its code, as the family would: the agenda then offers to cancel it. The code sent
  // to this phone (the walks book and sign up at the same time, each with a contact of its own).
  const { reference } = (await res.json()) as { reference: string };
  const confirmed = await fetch(`${site.origin}/api/v1/bookings/${reference}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: await codeSentTo(site.server.output, '+393330002222') }),
  });
  expect(confirmed.status).toBe(200);
  fx.bookedDay = romeDateString(new Date(slot.start));

  // The admin signs in once on a desk PC (TOTP set up); the phones reuse the session cookie.
  const desk = await site.browser.newContext();
  const page = await desk.newPage();
  await signIn(page, site.origin, admin);
  await passSecondFactor(page, site.origin);
  await page.goto(`${site.origin}/it/staff/eventi`, { waitUntil: 'load' });
  fx.eventId =
    /\/staff\/eventi\/(\d+)/.exec(
      await page
        .locator('a[href*="/staff/eventi/"]')
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname).join(' ')),
    )?.[1] ?? '';
  expect(fx.eventId).not.toBe('');
  adminCookies = await desk.cookies();
  await desk.close();
});

interface Overflow {
  page: string;
  scrollWidth: number;
  innerWidth: number;
  /** The outermost elements sticking out of the screen, to tell what to fix. */
  culprits: string[];
}

/** How the page fits a phone of `width` CSS px: undefined if it fits, otherwise what sticks out. */
async function overflowOf(page: Page, width: number, name: string): Promise<Overflow | undefined> {
  const m = await page.evaluate((width) => {
    const innerWidth = window.innerWidth;
    const describe = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].map((c) => `.${c}`).join('')}`;
    const outside = (e: Element) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
    };
    // Report an element only if its parent fits: the one that pushes the page wider.
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((e) => outside(e) && !(e.parentElement && e.parentElement !== document.body && outside(e.parentElement)))
      .slice(0, 4)
      .map(describe);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, culprits };
  }, width);
  if (m.scrollWidth <= m.innerWidth && m.innerWidth === width) return undefined;
  return { page: name, ...m };
}

/**
 * In Arabic (right to left) the page opens on its heading: the h1 lies within the screen's width (no
 * empty strip, no heading cut off) and starts above the fold. A form sent with errors opens on its
 * error summary instead (which comes first, as in the GOV.UK pattern), held to the same test.
 */
async function headingOffScreen(page: Page, name: string): Promise<string | undefined> {
  const r = await page.evaluate(() => {
    const target = document.querySelector('.error-summary') ?? document.querySelector('h1');
    const box = target?.getBoundingClientRect();
    return (
      box && {
        what: target!.tagName.toLowerCase(),
        left: box.left,
        right: box.right,
        top: box.top,
        innerWidth: window.innerWidth,
        innerHeight: window.innerHeight,
      }
    );
  });
  if (!r) return `${name}: no h1`;
  const visible = r.left >= -0.5 && r.right <= r.innerWidth + 0.5 && r.top >= 0 && r.top < r.innerHeight;
  return visible
    ? undefined
    : `${name}: ${r.what} at left ${Math.round(r.left)}, right ${Math.round(r.right)}, top ${Math.round(r.top)} on a ${r.innerWidth}×${r.innerHeight} screen`;
}

/**
 * Phone numbers and time ranges never break: each tel: link shows its number in a left-to-right
 * isolate that does not wrap (Arabic would otherwise reverse "351 681 8198" into "8198 681 351"), and
 * each "10:00–13:00" sits in an element that does not wrap at its dash.
 */
async function breakableNumbers(page: Page, name: string): Promise<string[]> {
  const found = await page.evaluate(() => {
    const problems: string[] = [];
    const keepsWhole = (e: Element | null) => !!e && ['nowrap', 'pre'].includes(getComputedStyle(e).whiteSpace);
    for (const a of document.querySelectorAll('body a[href^="tel:"]')) {
      if (!/\d{3}/.test(a.textContent ?? '')) continue; // a "Call" button, no number shown
      const number = a.querySelector('bdi[dir="ltr"]');
      if (!number || !keepsWhole(number) || getComputedStyle(number).direction !== 'ltr')
        problems.push(`phone "${a.textContent!.trim()}"`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement!;
      if (parent.closest('option, script, style')) continue;
      for (const m of (node.textContent ?? '').matchAll(/\d{1,2}:\d{2}\s?–\s?\d{1,2}:\d{2}/g)) {
        if (!keepsWhole(parent)) problems.push(`time range "${m[0]}" in <${parent.tagName.toLowerCase()}>`);
      }
    }
    return problems;
  });
  return [...new Set(found)].map((p) => `${name}: ${p}`);
}

/** What a walk found at one width. */
interface Found {
  overflows: Overflow[];
  headings: string[];
  numbers: string[];
}

/** The phone's width now: the screen the page was given (whatever the page's own width). */
const widthNow = (page: Page) => page.viewportSize()!.width;

/**
 * Puts the phone at `width` CSS px (screen and viewport) and waits until the page has been told:
 * the checks then measure the page laid out for that phone, as if it had opened at that width.
 */
async function resize(page: Page, width: number): Promise<void> {
  if (widthNow(page) === width) return;
  await page.setViewportSize({ width, height: 640 });
  await page.waitForFunction((w) => screen.width === w, width);
}

/**
 * Walks pages in sequence and keeps every problem at each width, so one run lists them all. Each
 * page is loaded once and checked at every width (the phone turned to 320 and 360 px in turn,
 * starting from the width it is at): one walk of the forms and flows serves both widths.
 */
function checker(page: Page, locale: string) {
  const at = new Map(WIDTHS.map((w): [number, Found] => [w, { overflows: [], headings: [], numbers: [] }]));
  const seen: string[] = [];
  return {
    at,
    seen,
    async check(name: string) {
      seen.push(name);
      const widths = WIDTHS[0] === widthNow(page) ? WIDTHS : [...WIDTHS].reverse();
      for (const width of widths) {
        await resize(page, width);
        const found = at.get(width)!;
        const o = await overflowOf(page, width, name);
        if (o) found.overflows.push(o);
        found.numbers.push(...(await breakableNumbers(page, name)));
        if (locale === 'ar') {
          const h = await headingOffScreen(page, name);
          if (h) found.headings.push(h);
        }
      }
    },
    /** Opens a page and checks it; it must answer `status` at that address (not a redirect to sign in). */
    async open(path: string, name: string, status = 200) {
      const response = await page.goto(site.origin + path, { waitUntil: 'load' });
      expect([response?.status(), new URL(page.url()).pathname], name).toEqual([
        status,
        new URL(path, site.origin).pathname,
      ]);
      await this.check(name);
    },
  };
}

/**
 * Sends a form with its button from the keyboard (Enter): on the old, too-wide layouts a click could
 * land on whatever overlaps the button, and this test is about widths, not pointer targets.
 */
async function press(page: Page, target: Locator | string): Promise<void> {
  const button = typeof target === 'string' ? page.locator(target).first() : target;
  await Promise.all([page.waitForEvent('load'), button.press('Enter')]);
}

const continueButton = (page: Page, locale: Locale) =>
  press(page, page.getByRole('button', { name: text(locale, 'booking.continue'), exact: true }));

/** The manage link of a booking, read from its confirmation email (the file mailer's .eml). */
async function manageLinkFor(reference: string): Promise<string> {
  const read = new Set<string>();
  // The mail worker writes a message once it is queued: looked for every 50 ms, for up to 30 s.
  for (let i = 0; i < 600; i++) {
    for (const m of site.server.output().matchAll(/booking_confirmation #\d+ written to (\S+\.eml)/g)) {
      if (read.has(m[1]!)) continue;
      read.add(m[1]!);
      const mail = parseMime(await readFile(m[1]!, 'utf8'));
      const body = findPart(mail, 'text/plain')?.body ?? '';
      if (!body.includes(reference)) continue;
      const link = /https?:\/\/\S+\/prenotazione\/gestisci\?token=\S+/.exec(body)?.[0];
      if (link) return new URL(link).pathname + new URL(link).search;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no manage link for ${reference}`);
}

/** Every public page type in one locale, the forms' error states included. */
async function walkPublicPages(page: Page, c: ReturnType<typeof checker>, locale: Locale): Promise<void> {
  await c.open(`/${locale}`, 'home');
  await c.open(`/${locale}/sportelli`, 'desks');
  await c.open(`/${locale}/sportelli?municipio=8`, 'desks, filtered');
  await c.open(`/${locale}/sportelli/gallaratese`, 'desk');
  await c.open(`/${locale}/eventi`, 'events');
  await c.open(await firstEventPath(site.origin, locale), 'event');
  await c.open(`/${locale}/zaino-sospeso`, 'campaign');
  for (const content of CONTENT_PAGES) await c.open(`/${locale}/${content}`, content);
  await c.open(`/${locale}/contatti`, 'contacts');
  await c.open(`/${locale}/servizi/listening`, 'service');
  await c.open(`/${locale}/does-not-exist`, '404', 404);

  // Booking: each step, each with its errors, the confirmation, the manage page, cancel by reference.
  // Two desks in turn: each walk books the first free time, and eight languages would crowd one
  // desk's first week (Quarto Oggiaro is left to the staff pages' day, fx.bookedDay).
  const desk = LOCALES.indexOf(locale) % 2 === 0 ? 'villapizzone' : 'gallaratese';
  await c.open(`/${locale}/sportelli/${desk}/prenota`, 'booking: time');
  await continueButton(page, locale);
  await c.check('booking: time, with error');
  await page.locator('input[name="slot"]').first().check();
  await continueButton(page, locale);
  await c.check('booking: details');
  await page.fill('#note', 'x'.repeat(201));
  await continueButton(page, locale);
  await c.check('booking: details, with error');
  await page.fill('#note', '');
  await continueButton(page, locale);
  await c.check('booking: contact');
  await continueButton(page, locale);
  await c.check('booking: contact, with errors');
  // A phone of its own per locale: the walks run side by side, and each reads its own code.
  const phone = `333 000 11${10 + LOCALES.indexOf(locale)}`;
  await page.fill('#firstName', 'Mariagiovanna');
  await page.fill('#phone', phone);
  await page.fill('#email', `phone.${locale}@example.org`);
  await continueButton(page, locale);
  await c.check('booking: check answers');
  await confirmWithCode(page, site.server, { onCodeStep: () => c.check('booking: code'), recipient: e164(phone) });
  await c.check('booking: confirmation');
  const reference = (await page.locator('.panel .reference').innerText()).trim();
  const manage = await manageLinkFor(reference);
  await c.open(manage, 'manage');
  await c.open(`${manage}&azione=sposta`, 'manage: move');
  await c.open(`/${locale}/prenotazione/annulla`, 'cancel by reference');
  await page.fill('#reference', 'QB-2222-22');
  await page.fill('#phone', phone);
  await press(page, page.getByRole('button', { name: text(locale, 'manage.lookup.submit') }));
  await c.check('cancel by reference, not found');
  await page.fill('#reference', reference);
  await press(page, page.getByRole('button', { name: text(locale, 'manage.lookup.submit') }));
  await c.check('cancel by reference, found');
  await c.open(`/${locale}/prenotazione/annulla?passo=sposta`, 'move by reference');

  // Pledge and volunteer forms, and their error states.
  await c.open(`/${locale}/zaino-sospeso/dona`, 'pledge form');
  await page.fill('#email', 'not-an-email');
  await press(page, page.locator('#submit'));
  await c.check('pledge form, with errors');
  await c.open(`/${locale}/volontari`, 'volunteer form');
  await page.check('#skills-3');
  await press(page, page.locator('#submit'));
  await c.check('volunteer form, with errors');
  // A valid sign-up with a mobile phone: "check your email" offers the code sent by SMS.
  await page.uncheck('#skills-3');
  await page.check('#skills-0');
  await page.check('#municipi-0');
  await page.fill('#name', 'Mariagiovanna');
  await page.fill('#email', `volunteer.${locale}@example.org`);
  await page.fill('#phone', `333 400 000${LOCALES.indexOf(locale)}`);
  await page.check('#consent');
  await press(page, page.locator('#submit'));
  expect(await page.locator('#code').count()).toBe(1);
  await c.check('volunteer: check your email, with the code');

  // An event's sign-up: the party form, refused (no contact), the code step, confirmed, "we can't come".
  const signUp = `/${locale}/eventi/${fx.seatsEventSlug}`;
  const submitParty = () =>
    press(page, page.getByRole('button', { name: text(locale, 'events.register.submit'), exact: true }));
  await c.open(`${signUp}/iscrizione`, 'event sign-up');
  await page.fill('#adults', '2');
  await page.fill('#children_6_11', '1');
  await page.fill('#name', 'Mariagiovanna Esposito');
  await submitParty();
  await c.check('event sign-up, with errors');
  // One contact per locale: a contact signs up once per event.
  await page.fill('#email', `family.${locale}@example.org`);
  await submitParty();
  expect(new URL(page.url()).pathname).toBe(`${signUp}/codice`);
  await c.check('event sign-up: code');
  await page.fill('#code', await codeSentTo(site.server.output, `family.${locale}@example.org`));
  await press(page, page.getByRole('button', { name: text(locale, 'events.code.submit'), exact: true }));
  expect(new URL(page.url()).pathname).toBe(`${signUp}/iscritti`);
  await c.check('event sign-up: confirmed');
  const cancel = await cantComeLink(page, site.server);
  await c.open(cancel, "event: we can't come");
  await press(page, page.getByRole('button', { name: text(locale, 'events.cancel.submit'), exact: true }));
  await c.check("event: we can't come, done");
}

/** Every staff page in one of the staff area's locales, seen by a signed-in admin. */
async function walkStaffPages(page: Page, c: ReturnType<typeof checker>, locale: string): Promise<void> {
  const staff = `/${locale}/staff`;
  const agenda = `${staff}/agenda/quarto-oggiaro?giorno=${fx.bookedDay}`;
  await c.open(staff, 'staff home');
  await c.open(`${staff}/agenda`, 'agendas');
  await c.open(`${agenda}&vista=giorno`, 'agenda, day');
  await page.fill('#email', 'not an address');
  await press(page, 'form:has(input[name="intent"][value="book"]) button[type="submit"]');
  await c.check('agenda, phone booking with errors');
  // The day again: the refused phone booking's answers kept in the draft, its errors shown once (200).
  await c.open(`${agenda}&vista=giorno`, 'agenda, day, answers kept', 200);
  expect(await page.locator('#email').inputValue()).toBe('not an address');
  expect(await page.locator('.error-summary').count()).toBe(0);
  await press(page, 'tr:has-text("Mariagiovanna") form:has(input[value="cancel"]) button');
  await c.check('agenda, cancel confirmation');
  await c.open(`${agenda}&vista=settimana`, 'agenda, week');
  await c.open(`${staff}/agenda/quarto-oggiaro/impostazioni`, 'desk settings');
  await c.open(`${staff}/agenda/quarto-oggiaro/chiudi?giorno=${fx.bookedDay}`, 'close a day');
  await c.open(`${staff}/cerca`, 'booking search');
  await page.fill('#q', 'Mariagiovanna');
  await press(page, 'form.booking-search button[type="submit"]');
  await c.check('booking search, results');
  await c.open(`${staff}/eventi`, 'events');
  await c.open(`${staff}/eventi/nuovo`, 'new event');
  await press(page, '#save');
  await c.check('new event, with errors');
  await c.open(`${staff}/eventi/${fx.eventId}`, 'event edit');
  await c.open(`${staff}/eventi/${fx.seatsEventId}/ingresso`, 'event door list');
  await c.open(`${staff}/raccolta`, 'drop-offs');
  await c.open(`${staff}/raccolta?finestra=${fx.window8}`, 'drop-off window with pledges');
  await c.open(`${staff}/raccolta/articoli`, 'items and targets');
  await c.open(`${staff}/volontari`, 'volunteers');
  await c.open(`${staff}/utenti`, 'users');
  await c.open(`${staff}/utenti/invita`, 'invite');
  await press(page, 'form[action*="_action=staffAccounts.invite"] button[type="submit"]');
  await c.check('invite, with errors');
  await c.open(`${staff}/gdpr`, 'gdpr');
  await page.fill('#email', 'mariagiovanna.esempio@example.org');
  await press(page, 'form:has(input[value="search"]) button[type="submit"]');
  await c.check('gdpr, results');
  await c.open(`${staff}/audit`, 'audit log');
  await c.open(`${staff}/account`, 'account');
}

/** A phone at the first width, in a context of its own (a new visitor: no cookies, no drafts). */
async function newPhone(): Promise<{ context: BrowserContext; page: Page }> {
  const width = WIDTHS[0];
  const context = await site.browser.newContext({
    viewport: { width, height: 640 },
    screen: { width, height: 640 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  return { context, page: await context.newPage() };
}

type Checker = ReturnType<typeof checker>;

/** Every public page in `locale`, on a phone of its own (checker). */
async function publicWalk(locale: Locale): Promise<Checker> {
  const { context, page } = await newPhone();
  try {
    const c = checker(page, locale);
    await walkPublicPages(page, c, locale);
    return c;
  } finally {
    await context.close();
  }
}

/** Every staff page in `locale`, on a phone of its own: refused at sign-in, then the admin's session. */
async function staffWalk(locale: string): Promise<Checker> {
  const { context, page } = await newPhone();
  try {
    const c = checker(page, locale);
    await c.open(`/${locale}/staff/accesso`, 'sign in');
    await page.fill('#email', 'nobody@example.org');
    await page.fill('#password', 'not the password');
    await press(page, SUBMIT);
    await c.check('sign in, refused');
    await context.addCookies(adminCookies);
    await walkStaffPages(page, c, locale);
    return c;
  } finally {
    await context.close();
  }
}

/**
 * The walks, by name, each started once the one before it in its line is over (failed or not). Three
 * lines side by side: the public walks of the even locales (which book at Villapizzone), those of the
 * odd ones (Gallaratese), so that no two walks pick the same first free time, and the staff walks,
 * one at a time as they share the admin's session (its drafts and the errors they show once). Each
 * walk's describe waits for its own in its beforeAll, by which time the walks of the describes
 * before it are over: a hook waits for about one walk, as when the walks ran one after another.
 */
const walks = new Map<string, Promise<Checker>>();
function inTurn<T extends string>(
  names: readonly T[],
  walk: (name: T) => Promise<Checker>,
  key: (name: T) => string = (name) => name,
) {
  let previous: Promise<unknown> = Promise.resolve();
  for (const name of names) {
    const done = previous.catch(() => undefined).then(() => walk(name));
    // Awaited by its describe's beforeAll; until then a failure is not an unhandled rejection.
    done.catch(() => undefined);
    walks.set(key(name), done);
    previous = done;
  }
}
function startPublicWalks(): void {
  inTurn(
    LOCALES.filter((_, i) => i % 2 === 0),
    publicWalk,
  );
  inTurn(
    LOCALES.filter((_, i) => i % 2 === 1),
    publicWalk,
  );
}
// The staff walks need the admin's session (the file's second beforeAll).
beforeAll(() => {
  inTurn(STAFF_LOCALES, staffWalk, (locale) => `staff ${locale}`);
});

// The checker's own test: a phone of its own.
let context: BrowserContext;
let page: Page;
beforeAll(async () => {
  ({ context, page } = await newPhone());
});
afterAll(async () => {
  await context?.close();
});

describe('the checker', () => {
  it('notices a page wider than the phone at each width, after the turn too (so a pass means something)', async () => {
    const c = checker(page, 'it');
    await page.goto(`${site.origin}/it/chi-siamo`, { waitUntil: 'load' });
    // Style set through the DOM, which the page's Content-Security-Policy allows (no inline style sheet).
    await page.evaluate(() => {
      const wide = document.createElement('div');
      wide.id = 'too-wide';
      wide.style.width = '400px';
      wide.style.height = '1px';
      document.querySelector('main')!.append(wide);
    });
    await c.check('a page 400 px wide');
    for (const width of WIDTHS) expect(c.at.get(width)!.overflows, `${width} px`).toHaveLength(1);
  });
});

describe.each(LOCALES)('every public page type in %s', (locale) => {
  // Each page here is as a new visitor's (the walk's phone is new), with the error states reached by
  // this walk's own refused forms.
  let c: Checker;
  beforeAll(async () => {
    c = await walks.get(locale)!;
  });

  it.each(WIDTHS)('fits a phone %i px wide', (width) => {
    expect(c.seen.length).toBe(42);
    const found = c.at.get(width)!;
    expect(found.overflows).toEqual([]);
    expect(found.headings).toEqual([]);
    expect(found.numbers).toEqual([]);
  });
});

describe.each(STAFF_LOCALES)('every staff page in %s', (locale) => {
  let c: Checker;
  beforeAll(async () => {
    c = await walks.get(`staff ${locale}`)!;
  });

  it.each(WIDTHS)('fits a phone %i px wide', (width) => {
    expect(c.seen.length).toBe(29);
    const found = c.at.get(width)!;
    expect(found.overflows).toEqual([]);
    expect(found.numbers).toEqual([]);
  });
});

describe('the staff agenda', () => {
  it('is a list of labelled cards on a phone, and stays a table on a desk PC and on paper', async () => {
    const context = await site.browser.newContext({
      viewport: { width: 360, height: 640 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    try {
      await context.addCookies(adminCookies);
      const page = await context.newPage();
      await page.goto(`${site.origin}/it/staff/agenda/quarto-oggiaro?giorno=${fx.bookedDay}&vista=giorno`, {
        waitUntil: 'load',
      });
      const row = page.locator('tbody tr', { hasText: 'Mariagiovanna' });
      const layout = () =>
        row.evaluate((tr) => ({
          row: getComputedStyle(tr).display,
          label: getComputedStyle(tr.querySelector('td')!, '::before').content,
          tableWidth: Math.round(tr.closest('table')!.getBoundingClientRect().width),
        }));
      const card = await layout();
      expect({ row: card.row, label: card.label }).toEqual({
        row: 'block',
        label: `"${text('it', 'staff.agenda.col.time')}"`,
      });
      expect(card.tableWidth).toBeLessThanOrEqual(360);

      await page.emulateMedia({ media: 'print' });
      expect(await layout()).toMatchObject({ row: 'table-row', label: 'none' });
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(await layout()).toMatchObject({ row: 'table-row', label: 'none' });
    } finally {
      await context.close();
    }
  });
});
