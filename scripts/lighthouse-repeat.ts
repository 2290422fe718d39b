// node scripts/lighthouse-repeat.ts [--scale [--url postgres://…]] -- <runs> <path>… — the same
// Lighthouse audit as `npm run lighthouse` (its mobile preset, simulated throttling, Debian's
// Chromium), repeated on a few pages, printing each run's performance score, its metrics and where
// the main thread's time went, then the median. For a page that scores below 100 on a loaded
// machine: several runs tell the page from the noise. "DESK" in a path is the measured desk's slug.
// Writes nothing; asserts nothing.
import { median, startLighthouse } from './lighthouse-session.ts';

const sep = process.argv.indexOf('--');
const runs = Number(process.argv[sep + 1]);
const paths = process.argv.slice(sep + 2);
if (sep === -1 || !(runs > 0) || paths.length === 0) {
  console.error('usage: node scripts/lighthouse-repeat.ts [--scale [--url …]] -- <runs> <path>…');
  process.exit(2);
}
const session = await startLighthouse();
const ms = (v: number | undefined) => Math.round(v ?? 0);
try {
  for (const p of paths.map((p) => p.replace('DESK', session.site.deskSlug))) {
    const scores: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { audits, categories } = (await session.audit(p, { output: 'json', onlyCategories: ['performance'] })).lhr;
      scores.push(Math.round((categories.performance?.score ?? 0) * 100));
      const work = audits['mainthread-work-breakdown']?.details as
        { items?: { group: string; duration: number }[] } | undefined;
      console.log(
        `${p}: ${scores.at(-1)} — FCP ${ms(audits['first-contentful-paint']?.numericValue)} ms, LCP ${ms(audits['largest-contentful-paint']?.numericValue)} ms, TBT ${ms(audits['total-blocking-time']?.numericValue)} ms, CLS ${audits['cumulative-layout-shift']?.numericValue?.toFixed(3)}; main thread ${(work?.items ?? []).map((w) => `${w.group} ${ms(w.duration)}`).join(', ')}`,
      );
    }
    console.log(`${p}: median ${median(scores)} of ${scores.join(', ')}`);
  }
} finally {
  await session.stop();
}
