// Chromium for the browser tests: which binary, with which flags, and one per test worker rather
// than one per file. The browser config runs its files with `isolate: false`
// (vitest.browser.config.ts), so a worker process runs file after file and the browser started for
// the first one serves the next; each file still works in browser contexts of its own (no cookies,
// cache or storage carried over) and closes them all when it ends.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Debian's chromium-headless-shell (the "old" headless Chromium, the one Playwright itself runs
 * headless) when it is installed, as .ci/run does; the full browser otherwise. Full Chromium's
 * headless mode is the whole desktop browser without a screen: each new page also opens the address
 * bar's WebUI pop-up in a renderer of its own. Measured side by side on this machine: a launch
 * 0.27 s against 1.1 s, a new page 0.06–0.3 s against 0.3–0.9 s. CHROMIUM_PATH names another binary.
 */
export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ||
  (['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((p) => existsSync(p)) ?? '/usr/bin/chromium');

/**
 * The tests' own V8 flag, not in CHROMIUM_ARGS (Lighthouse must measure pages as a visitor's browser
 * runs them): no optimizing compilers (Maglev, TurboFan) in the renderers, only the interpreter and
 * its baseline compiler. A test's pages live a second or two, and each axe check injects axe-core
 * (~550 kB) into a new document, so the optimizers compile code that is thrown away with the page.
 * Measured with 20 loads of the desks page each followed by an axe check, in one tab (renderer CPU):
 * 8.6–9.4 s by default, 4.8–5.3 s with `--max-opt=1`; `--max-opt=2` (Maglev kept) 11.4 s and
 * `--no-opt` 8.8 s did not help. What a page does is the same at every tier.
 */
const TEST_ONLY_ARGS = ['--js-flags=--max-opt=1'];

function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...TEST_ONLY_ARGS],
  });
}

/** Kept on globalThis: a module the worker evaluates again for the next file finds it there. */
const KEY = Symbol.for('qubi.test-worker-browser');
const state = globalThis as { [KEY]?: Promise<Browser> };

/**
 * This worker's Chromium, started on first use, and again if it has gone (a crash must not fail the
 * files after it). Playwright stops it when the worker process exits.
 */
export function workerBrowser(): Promise<Browser> {
  const before = state[KEY];
  // Set at once: a second call waits for the same launch rather than starting another.
  state[KEY] = (async () => {
    const running = await before?.catch(() => undefined);
    return running?.isConnected() ? running : launchBrowser();
  })();
  return state[KEY];
}

/**
 * Closes every context open in the worker's Chromium: the file that opened them is over (a worker
 * runs one file at a time). Contexts a file opened by hand and never closed go too.
 */
export async function closeContexts(browser: Browser): Promise<void> {
  await Promise.all(browser.contexts().map((context) => context.close()));
}
