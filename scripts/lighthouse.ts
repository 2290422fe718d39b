// npm run lighthouse [-- --scale [--url postgres://…]] — Lighthouse (mobile preset, simulated slow 4G and a 4× slower CPU) on every
// public page type in Italian and Arabic, with Debian's Chromium. Fails when a page scores below
// performance 95, accessibility 100, best practices 100 or SEO 100. Full reports go to
// lighthouse-reports/ (not committed); the scores to docs/lighthouse.md. With --scale, on the
// city-scale data of `npm run bench:scale` (scripts/measured-site.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { median, startLighthouse, type Audited } from './lighthouse-session.ts';

const THRESHOLDS = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 } as const;
const CATEGORIES = Object.keys(THRESHOLDS) as (keyof typeof THRESHOLDS)[];

const session = await startLighthouse();
const { site, origin } = session;

const eventPath = (locale: string) =>
  fetch(`${origin}/${locale}/eventi`)
    .then((r) => r.text())
    .then((html) => new RegExp(`href="(/${locale}/eventi/[a-z0-9-]+)"`).exec(html)?.[1] ?? `/${locale}/eventi`);

const NOINDEX = new Set(['search']);
const pageTypes = async (locale: string): Promise<[string, string][]> => [
  ['home', `/${locale}`],
  ['desks', `/${locale}/sportelli`],
  ['desk', `/${locale}/sportelli/${site.deskSlug}`],
  ['booking: time', `/${locale}/sportelli/${site.deskSlug}/prenota`],
  ['events', `/${locale}/eventi`],
  ['event', await eventPath(locale)],
  ['campaign', `/${locale}/zaino-sospeso`],
  ['pledge form', `/${locale}/zaino-sospeso/dona`],
  ['volunteer form', `/${locale}/volontari`],
  ['about', `/${locale}/chi-siamo`],
  ['faq', `/${locale}/faq`],
  ['service', `/${locale}/servizi/orientation`],
  ['contacts', `/${locale}/contatti`],
  ['search', `/${locale}/cerca?q=sportello`],
  ['accessibility statement', `/${locale}/accessibilita`],
];

mkdirSync('lighthouse-reports', { recursive: true });

const score = (r: Audited, c: (typeof CATEGORIES)[number]) => Math.round((r.lhr.categories[c]?.score ?? 0) * 100);
const audit = (pagePath: string) => session.audit(pagePath, { output: 'html', onlyCategories: CATEGORIES });

const rows: string[] = [];
const failures: string[] = [];
try {
  for (const locale of ['it', 'ar']) {
    for (const [name, pagePath] of await pageTypes(locale)) {
      // A page whose first run scores below 100 anywhere is run twice more and each category's
      // median of the three is kept: on a shared machine a stall of another process shows up, 4×
      // slowed, as a long task of the page's (seen: 500 ms "unattributable" tasks on a 325-element page).
      const runs = [await audit(pagePath)];
      const perfect = (r: Audited) => CATEGORIES.every((c) => score(r, c) === 100);
      if (!perfect(runs[0]!)) runs.push(await audit(pagePath), await audit(pagePath));
      const scores = CATEGORIES.map((c) => median(runs.map((r) => score(r, c))));
      const kept = runs.find((r) => CATEGORIES.every((c, i) => score(r, c) === scores[i])) ?? runs[0]!;
      writeFileSync(
        path.join('lighthouse-reports', `${locale}-${name.replace(/[^a-z]+/g, '-')}.html`),
        kept.report as string,
      );
      // Search results are noindex on purpose (as the booking steps after the first, left out of this
      // list): the SEO category, which fails any page kept out of indexes, is not counted for them.
      const noindex = NOINDEX.has(name);
      const below = CATEGORIES.filter((c, i) => scores[i]! < THRESHOLDS[c] && !(noindex && c === 'seo'));
      if (below.length > 0)
        failures.push(`${pagePath}: ${below.map((c) => `${c} ${scores[CATEGORIES.indexOf(c)]}`).join(', ')}`);
      const shown = scores.map((v, i) => (noindex && CATEGORIES[i] === 'seo' ? `${v} (noindex)` : String(v)));
      rows.push(`| ${locale} | ${name} | \`${pagePath}\` | ${shown.join(' | ')} | ${runs.length} |`);
      console.log(`${pagePath}: ${CATEGORIES.map((c, i) => `${c} ${scores[i]}`).join(', ')} (${runs.length} runs)`);
    }
  }
} finally {
  await session.stop();
}

const section = [
  '<!-- lighthouse:start -->',
  '## Scores',
  '',
  `Measured by \`npm run lighthouse${process.argv.includes('--scale') ? ' -- --scale' : ''}\`${process.argv.includes('--scale') ? ' (the city-scale data of bench:scale)' : ''} on ${new Date().toISOString().slice(0, 10)}: Lighthouse ${(await import('lighthouse/package.json', { with: { type: 'json' } })).default.version}, mobile preset (simulated slow 4G, 4× CPU slowdown), Debian Chromium, the server on this machine. Thresholds: performance ${THRESHOLDS.performance}, accessibility, best practices and SEO 100. A page with any score below 100 in its first run is run three times in all and the median of each category is shown.`,
  '',
  '| locale | page type | path | performance | accessibility | best practices | SEO | runs |',
  '|---|---|---|---:|---:|---:|---:|---:|',
  ...rows,
  '<!-- lighthouse:end -->',
].join('\n');
// docs/lighthouse.md: the table between its markers, the notes around it kept.
const docPath = 'docs/lighthouse.md';
const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Lighthouse\n';
const updated = /<!-- lighthouse:start -->[\s\S]*<!-- lighthouse:end -->/.test(doc)
  ? doc.replace(/<!-- lighthouse:start -->[\s\S]*<!-- lighthouse:end -->/, section)
  : `${doc.trimEnd()}\n\n${section}\n`;
writeFileSync(docPath, updated);

if (failures.length > 0) {
  console.error(`Below the thresholds:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('Every page meets the thresholds.');
