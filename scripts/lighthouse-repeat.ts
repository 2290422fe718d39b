// node scripts/lighthouse-repeat.ts [--scale [--url postgres://…]] -- <runs> <path>… — the same
// Lighthouse audit as `npm run lighthouse` (its mobile preset, simulated throttling, Debian's
// Chromium), repeated on a few pages, printing each run's performance score, its metrics and where
// the main thread's time went, then the median. For a page that scores below 100 on a loaded
// machine: several runs tell the page from the noise. "DESK" in a path is the measured desk's slug.
// Writes nothing; asserts nothing.
import lighthouse from 'lighthouse';
import { launch } from 'chrome-launcher';
import { startMeasuredSite } from './measured-site.ts';
import { CHROMIUM_PATH } from '../tests/browser/support.ts';

const sep = process.argv.indexOf('--');
const runs = Number(process.argv[sep + 1]);
const paths = process.argv.slice(sep + 2);
if (sep === -1 || !(runs > 0) || paths.length === 0) {
  console.error('usage: node scripts/lighthouse-repeat.ts [--scale [--url …]] -- <runs> <path>…');
  process.exit(2);
}
const site = await startMeasuredSite();
const origin = site.origin.replace('127.0.0.1', 'localhost');
const chrome = await launch({
  chromePath: CHROMIUM_PATH,
  chromeFlags: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
process.on('exit', () => void chrome.kill());
const ms = (v: number | undefined) => Math.round(v ?? 0);
try {
  for (const p of paths.map((p) => p.replace('DESK', site.deskSlug))) {
    const scores: number[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await lighthouse(`${origin}${p}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance'],
      });
      if (!result) throw new Error(`no Lighthouse result for ${p}`);
      const { audits, categories } = result.lhr;
      scores.push(Math.round((categories.performance?.score ?? 0) * 100));
      const work = audits['mainthread-work-breakdown']?.details as
        { items?: { group: string; duration: number }[] } | undefined;
      console.log(
        `${p}: ${scores.at(-1)} — FCP ${ms(audits['first-contentful-paint']?.numericValue)} ms, LCP ${ms(audits['largest-contentful-paint']?.numericValue)} ms, TBT ${ms(audits['total-blocking-time']?.numericValue)} ms, CLS ${audits['cumulative-layout-shift']?.numericValue?.toFixed(3)}; main thread ${(work?.items ?? []).map((w) => `${w.group} ${ms(w.duration)}`).join(', ')}`,
      );
    }
    const sorted = [...scores].sort((a, b) => a - b);
    console.log(`${p}: median ${sorted[Math.floor(sorted.length / 2)]} of ${scores.join(', ')}`);
  }
} finally {
  chrome.kill();
  await site.stop();
}
