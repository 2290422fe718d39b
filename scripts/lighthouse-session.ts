// What `npm run lighthouse` and scripts/lighthouse-repeat.ts share: the measured site
// (scripts/measured-site.ts, --scale for the city-scale data), Debian's Chromium launched as both
// audit it, one Lighthouse run of a page (run again when Chrome failed to record its trace), and the
// median of repeated runs. Stopping closes the browser, then the site.
import lighthouse from 'lighthouse';
import { launch } from 'chrome-launcher';
import { startMeasuredSite } from './measured-site.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/browser/support.ts';

export type Audited = NonNullable<Awaited<ReturnType<typeof lighthouse>>>;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function startLighthouse() {
  const site = await startMeasuredSite();
  // localhost, as a visitor's own machine would be: a secure context without TLS.
  const origin = site.origin.replace('127.0.0.1', 'localhost');
  const chrome = await launch({
    // The browser tests' (Debian's chromium-headless-shell, or chromium): never a downloaded one.
    chromePath: CHROMIUM_PATH,
    // The browser tests' flags (tests/browser/support.ts), headless: Lighthouse does not add it.
    chromeFlags: ['--headless', ...CHROMIUM_ARGS],
  });
  // Stopped early (Ctrl-C), the browser goes too.
  process.on('exit', () => void chrome.kill());

  /** One Lighthouse run of a page; a trace Chrome failed to record (NO_NAVSTART…) is run again, up to three times. */
  async function audit(
    pagePath: string,
    options: { output: 'html' | 'json'; onlyCategories: string[] },
  ): Promise<Audited> {
    for (let attempt = 1; ; attempt++) {
      const result = await lighthouse(`${origin}${pagePath}`, { port: chrome.port, logLevel: 'error', ...options });
      if (result && (!result.lhr.runtimeError || attempt === 3)) return result;
      if (!result && attempt === 3) throw new Error(`no Lighthouse result for ${pagePath}`);
      console.log(`${pagePath}: ${result?.lhr.runtimeError?.code ?? 'no result'}, running it again`);
    }
  }

  return {
    site,
    origin,
    audit,
    async stop() {
      chrome.kill();
      await site.stop();
    },
  };
}
