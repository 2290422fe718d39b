// Shared helpers for the browser tests: Debian's chromium (never a downloaded one), axe-core
// injection, and the list of page types every test walks through.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../support/server.ts';
import { messages } from '#/lib/i18n.ts';
import { codeSentTo, lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { findPart, parseMime } from '../support/mime.ts';
import { closeContexts, workerBrowser } from './chromium.ts';
import { returningVisitors, type WithPage } from './visitors.ts';

// The scripts that drive Chromium outside the tests (Lighthouse, the validator) take its path and
// flags from here.
export { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';

/** What a test file starts: the built site (`startServer`), or one with staff accounts (`startStaffServer`). */
type Started = RunningServer | { server: RunningServer; stop(): Promise<unknown> };

/** A browser test file's site and Chromium, ready once the file's first `beforeAll` has run. */
export interface BrowserSite<S extends Started> {
  /** What `start` returned (a staff server has its demo `accounts`). */
  readonly app: S;
  /** The site's process (its log has the emails the file mailer wrote). */
  readonly server: RunningServer;
  /** Where the site answers, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  /** The worker's Chromium (tests/browser/chromium.ts); the file's contexts are all its own. */
  readonly browser: Browser;
  /**
   * A page as a new visitor has it (no cookies, nothing in the HTTP cache), in a context made with
   * `options`: the file's tab for those options, wiped since its last test (tests/browser/visitors.ts).
   * Not for a test whose subject is the tab itself, its history (Back, Forward) or what its renderer
   * keeps in memory, nor one that adds init scripts: those take `withNewContext`.
   */
  withPage: WithPage;
  /** A new context and a page in it, closed after `use` whatever happens. */
  withNewContext: WithPage;
}

/**
 * Starts the file's site, and the worker's Chromium if it is not running yet, side by side in a
 * `beforeAll` (registered here, so it runs before the file's own); the `afterAll` stops the site and
 * closes every context the file opened, leaving the browser to the worker's next file: the set-up
 * every browser test file had by hand. One server per file; a browser per worker (a new browser costs
 * a second or more), and a tab per kind of visitor (`withPage`), which each test gets back wiped (a
 * new tab is a new renderer process).
 */
export function browserSite<S extends Started>(start: () => Promise<S>): BrowserSite<S> {
  let app: S | undefined;
  let browser: Browser | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the browser site's ${what} is used before its beforeAll ran`);
    return value;
  };
  const site: BrowserSite<S> = {
    get app() {
      return ready(app, 'server');
    },
    get server() {
      const started: Started = ready(app, 'server');
      return 'server' in started ? started.server : started;
    },
    get origin() {
      return site.server.origin;
    },
    get browser() {
      return ready(browser, 'browser');
    },
    withPage: returningVisitors(() => site.browser),
    async withNewContext(options, use) {
      const context = await site.browser.newContext(options);
      try {
        return await use(await context.newPage(), context);
      } finally {
        await context.close();
      }
    },
  };
  beforeAll(async () => {
    // Side by side: Chromium starts while the server opens its database. If one fails, the
    // other is still stopped by the afterAll below.
    const [server, chromiumBrowser] = await Promise.allSettled([start(), workerBrowser()]);
    if (server.status === 'fulfilled') app = server.value;
    if (chromiumBrowser.status === 'fulfilled') browser = chromiumBrowser.value;
    for (const result of [server, chromiumBrowser]) if (result.status === 'rejected') throw result.reason;
  });
  afterAll(async () => {
    if (browser) await closeContexts(browser);
    await app?.stop();
  });
  return site;
}

/**
 * Rate limits and the minimum fill time raised beyond what a browser test reaches: the same test
 * phone books and pledges several times (tests/http proves the limits). One pledge may take a
 * whole item (tests/http and tests/integration prove PLEDGE_MAX_SHARE).
 */
export const LIMITS_NOT_REACHED = {
  FORM_MIN_FILL_SECONDS: '0',
  PLEDGE_MAX_SHARE: '100',
  RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '1000',
  RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000',
  RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '1000',
  MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
  HOLDS_PER_CLIENT: '1000',
  WAITLIST_PER_CLIENT: '1000',
  BOOKINGS_PER_CONTACT_PER_DESK: '1000',
  BOOKINGS_PER_CONTACT: '1000',
};

/** Arabic-Indic digits, grouped "١٢٣ ٤٥٦", as an Arabic keyboard types a code. */
export const inArabicDigits = (code: string) =>
  `${code.slice(0, 3)} ${code.slice(3)}`.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));

/** An Italian mobile number as typed in the forms ("333 555 7770"), as the code messages address it. */
export const e164 = (phone: string) => `+39${phone.replaceAll(' ', '')}`;

/**
 * "Confirm" on check answers, then the code step: the code the contact received (the newest code
 * message the file mailer wrote, tests/support/codes.ts; or, given its `recipient`, the newest sent
 * to that phone in E.164 or email, for a test whose bookings run side by side), typed as `typed`
 * makes it, and sent; the confirmation page follows. `onCodeStep` looks at the code step before the
 * code is typed.
 */
export async function confirmWithCode(
  page: Page,
  server: RunningServer,
  options: { typed?: (code: string) => string; onCodeStep?: () => Promise<void>; recipient?: string } = {},
): Promise<void> {
  const seen = lastCodeMailId(server.output());
  await Promise.all([page.waitForURL(/\/prenota\/codice$/), page.locator('#confirm').click()]);
  await options.onCodeStep?.();
  if (options.recipient) {
    const code = await codeSentTo(server.output, options.recipient);
    await page.fill('#code', (options.typed ?? ((c) => c))(code));
    await follow(page, '#confirm-code');
    await page.waitForURL(/\/prenota\/confermata\?c=/);
    return;
  }
  let after = seen;
  // An earlier hold's message written late is refused; the next newer one is this hold's.
  for (let tries = 0; tries < 4 && /\/prenota\/codice$/.test(page.url()); tries++) {
    const { id, code } = await nextCodeFromMail(server.output, after);
    await page.fill('#code', (options.typed ?? ((c) => c))(code));
    await follow(page, '#confirm-code');
    after = id;
  }
  await page.waitForURL(/\/prenota\/confermata\?c=/);
}

/**
 * "Pledge" on the pledge form, then its code step: the code sent to `recipient` (a phone in E.164 or
 * an email), typed as `typed` makes it, and sent; the thanks page follows.
 */
export async function pledgeWithCode(
  page: Page,
  server: RunningServer,
  recipient: string,
  options: { typed?: (code: string) => string } = {},
): Promise<void> {
  await Promise.all([page.waitForURL(/\/zaino-sospeso\/codice\?c=/), page.locator('#submit').click()]);
  const code = await codeSentTo(server.output, recipient);
  await page.fill('#code', (options.typed ?? ((c) => c))(code));
  await Promise.all([page.waitForURL(/\/zaino-sospeso\/grazie\?c=/), page.locator('#confirm-code').click()]);
}

/** Confirms a pledge made through the API with the code sent to its contact (`recipient`); its manage link comes back. */
export async function confirmPledgeThroughApi(
  site: { origin: string; server: RunningServer },
  reference: string,
  recipient: string,
): Promise<{ manageUrl: string | null }> {
  const code = await codeSentTo(site.server.output, recipient);
  const res = await fetch(`${site.origin}/api/v1/pledges/${reference}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (res.status !== 200) throw new Error(`could not confirm ${reference}: ${res.status}`);
  return (await res.json()) as { manageUrl: string | null };
}

/** A string of the site in a locale, with its {{placeholders}} filled in. */
export const text = (locale: string, key: string, values: Record<string, string> = {}) =>
  Object.entries(values).reduce(
    (s, [k, v]) => s.replace(`{{${k}}}`, v),
    messages[locale as keyof typeof messages][key]!,
  );

export const h1 = async (page: Page) => (await page.locator('h1').innerText()).trim();

/** Clicks (a locator, or the first match of a selector) and waits for the page it leads to (a POST to the same address included). */
export async function follow(page: Page, target: Locator | string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), typeof target === 'string' ? page.click(target) : target.click()]);
}

/** No axe violation on the page; `what` names it in the failure. */
export async function expectNoViolations(page: Page, what: string): Promise<void> {
  expect(await axeViolations(page), `${what} (${page.url()})`).toEqual([]);
}

export type PageType =
  | 'home'
  | 'desks'
  | 'desks-filtered'
  | 'desk'
  | 'events'
  | 'event'
  | 'campaign'
  | 'about'
  | 'privacy'
  | 'accessibility'
  | 'legal'
  | 'faq'
  | 'contacts'
  | 'service'
  | 'topics'
  | 'search'
  | 'not-found';

export interface PageSpec {
  type: PageType;
  /** Path without the locale prefix ('' is the home page); 'event' is resolved at run time. */
  path: string;
  status: number;
}

export const CONTENT_PAGES = ['chi-siamo', 'privacy', 'accessibilita', 'note-legali', 'faq', 'argomenti'] as const;

export const PAGES: PageSpec[] = [
  { type: 'home', path: '', status: 200 },
  { type: 'desks', path: '/sportelli', status: 200 },
  { type: 'desks-filtered', path: '/sportelli?municipio=8', status: 200 },
  { type: 'desk', path: '/sportelli/gallaratese', status: 200 },
  { type: 'events', path: '/eventi', status: 200 },
  { type: 'event', path: '/eventi/<first>', status: 200 },
  { type: 'campaign', path: '/zaino-sospeso', status: 200 },
  { type: 'about', path: '/chi-siamo', status: 200 },
  { type: 'privacy', path: '/privacy', status: 200 },
  { type: 'accessibility', path: '/accessibilita', status: 200 },
  { type: 'legal', path: '/note-legali', status: 200 },
  { type: 'faq', path: '/faq', status: 200 },
  { type: 'contacts', path: '/contatti', status: 200 },
  { type: 'service', path: '/servizi/listening', status: 200 },
  { type: 'topics', path: '/argomenti', status: 200 },
  { type: 'search', path: '/cerca?q=ascolto', status: 200 },
  { type: 'not-found', path: '/does-not-exist', status: 404 },
];

/** Every [locale, page] pair, for `it.each`/`describe.each`. */
export function pagesFor(locales: readonly string[]): [string, PageSpec][] {
  return locales.flatMap((locale) => PAGES.map((page) => [locale, page] as [string, PageSpec]));
}

/** Finds the first event page linked from the events list (not the .ics/.xml feeds). */
export async function firstEventPath(origin: string, locale: string): Promise<string> {
  const res = await fetch(`${origin}/${locale}/eventi`);
  if (!res.ok) throw new Error(`GET /${locale}/eventi answered ${res.status}`);
  const html = await res.text();
  const prefix = `/${locale}/eventi/`;
  for (const m of html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)) {
    const href = new URL(m[1]!.replaceAll('&amp;', '&'), origin);
    if (href.origin !== origin) continue;
    if (!href.pathname.startsWith(prefix) || href.pathname.length === prefix.length) continue;
    if (/\.(ics|xml)$/.test(href.pathname)) continue;
    return href.pathname + href.search;
  }
  throw new Error(`no event link found on /${locale}/eventi`);
}

/** Resolves a page spec to a URL path in one locale (event pages need a look-up). */
export async function resolvePath(origin: string, locale: string, page: PageSpec): Promise<string> {
  if (page.type === 'event') return firstEventPath(origin, locale);
  return `/${locale}${page.path}`;
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolationSummary {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: number;
  targets: string[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA) on the page and returns its violations, readably. */
export async function axeViolations(page: Page, maxTargets = 5): Promise<AxeViolationSummary[]> {
  // The minified build of the same axe-core: a page parses and compiles it a quarter faster
  // (measured 153–172 ms against 207–244 ms injected and run once), and every axe check injects it anew.
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  // Evaluated by the driver (the DevTools protocol), which the page's Content-Security-Policy does
  // not govern: an inline <script> (addScriptTag) works only in a context made with bypassCSP,
  // and here the page is checked as it is served, policy and all.
  if (!hasAxe) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    // resultTypes: axe checks every rule as before, but keeps the details (selectors, HTML) of
    // violations only: the passes and "incomplete" nodes, never read here, are most of its time.
    return axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
  });
  return (results.violations as any[]).map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes
      .slice(0, maxTargets)
      .map(
        (n: any) =>
          `${(n.target as unknown[]).join(' ')}${n.failureSummary ? ` — ${String(n.failureSummary).replace(/\s+/g, ' ').slice(0, 240)}` : ''}`,
      ),
  }));
}

/** Confirms a hold made through the API with the code sent to its contact (the newest code message above `seen`). */
export async function confirmThroughApi(
  site: { origin: string; server: RunningServer },
  reference: string,
  seen: number,
): Promise<void> {
  let after = seen;
  for (let tries = 0; tries < 4; tries++) {
    const { id, code } = await nextCodeFromMail(() => site.server.output(), after);
    const res = await fetch(`${site.origin}/api/v1/bookings/${reference}/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (res.status === 200) return;
    after = id;
  }
  throw new Error(`could not confirm ${reference}`);
}

/**
 * The "we can't come" link of the sign-up the confirmation page shows (its reference, first in the
 * page's facts), from the confirmation email the family got: its path and query.
 */
export async function cantComeLink(page: Page, server: RunningServer): Promise<string> {
  const reference = (await page.locator('main dd bdi').first().innerText()).trim();
  return linkFromEmail(
    server,
    'event_registration_confirmation',
    reference,
    /https?:\/\/\S+\/non-veniamo\?token=[\w-]+/,
  );
}

/**
 * A link a message of `kind` carries (read from the file mailer's .eml, as the family reads it), in
 * the first such email that names `reference`: its path and query, e.g. an event's "we can't come".
 */
export async function linkFromEmail(
  server: RunningServer,
  kind: string,
  reference: string,
  link: RegExp,
): Promise<string> {
  const read = new Set<string>();
  const written = new RegExp(`\\[mail\\] ${kind} #\\d+ written to (\\S+\\.eml)`, 'g');
  // The mail worker writes a message once it is queued: looked for every 50 ms, for up to 30 s.
  for (let i = 0; i < 600; i++) {
    for (const m of server.output().matchAll(written)) {
      if (read.has(m[1]!)) continue;
      read.add(m[1]!);
      const mail = parseMime(readFileSync(m[1]!, 'utf8'));
      const body = findPart(mail, 'text/plain')?.body ?? '';
      const found = body.includes(reference) ? link.exec(body)?.[0] : undefined;
      if (found) return new URL(found).pathname + new URL(found).search;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${kind} link for ${reference}`);
}
