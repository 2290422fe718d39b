// A test file's returning visitors: one browser context per set of context options and one tab in it,
// handed to each test that needs "a page as a new visitor" once what the test before left is wiped.
// A new context costs a new tab, and a new tab is a new renderer process (~0.2 s of Chromium's CPU,
// and every page then loads cold); the site keeps nothing in a browser but cookies and the HTTP cache
// (no localStorage, sessionStorage, IndexedDB or service worker in src/), and both are cleared here,
// so the server sees the same new visitor a fresh context would be.
import type { Browser, BrowserContext, BrowserContextOptions, CDPSession, Page } from 'playwright-core';

interface Visitor {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
}

/** The page events a test may listen to: the next test must not hear the last one's listeners. */
const PAGE_EVENTS = [
  'console',
  'dialog',
  'download',
  'pageerror',
  'popup',
  'request',
  'requestfailed',
  'requestfinished',
  'response',
] as const;

/** Playwright's viewport when the options name none. */
const DEFAULT_VIEWPORT = { width: 1280, height: 720 };

export type WithPage = <T>(
  options: BrowserContextOptions,
  use: (page: Page, context: BrowserContext) => Promise<T>,
) => Promise<T>;

/**
 * `withPage` for one file: the context made for the same options before, and its tab, when the last
 * test to use it has finished and passed; a new one otherwise (the first time, after a failure, or
 * while a test that overran its time still holds it). Before each use: the other tabs closed, the
 * listeners removed, the cookies (the site's drafts, holds and sessions) and the HTTP cache cleared,
 * the viewport as the options say. The contexts are closed with the file's others (browserSite's
 * afterAll).
 */
export function returningVisitors(browser: () => Browser): WithPage {
  const idle = new Map<string, Visitor>();

  async function open(options: BrowserContextOptions): Promise<Visitor> {
    const context = await browser().newContext(options);
    const page = await context.newPage();
    return { context, page, cdp: await context.newCDPSession(page) };
  }

  async function wipe({ context, page, cdp }: Visitor, options: BrowserContextOptions): Promise<void> {
    await Promise.all(context.pages().map((other) => (other === page ? undefined : other.close())));
    for (const event of PAGE_EVENTS) page.removeAllListeners(event);
    await context.clearCookies();
    await cdp.send('Network.clearBrowserCache');
    const viewport = options.viewport ?? DEFAULT_VIEWPORT;
    const now = page.viewportSize();
    if (now?.width !== viewport.width || now.height !== viewport.height) await page.setViewportSize(viewport);
  }

  return async (options, use) => {
    const key = JSON.stringify(options);
    let visitor = idle.get(key);
    idle.delete(key);
    if (visitor) await wipe(visitor, options);
    else visitor = await open(options);
    let passed = false;
    try {
      const result = await use(visitor.page, visitor.context);
      passed = true;
      return result;
    } finally {
      if (passed && !idle.has(key) && !visitor.page.isClosed()) idle.set(key, visitor);
      else await visitor.context.close();
    }
  };
}
