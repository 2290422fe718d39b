// npm run budget — weight of each page type of the built site: HTML + CSS compressed (gzip and
// brotli), fonts apart, and the JavaScript each page loads. Fails above 14 KB compressed
// (the first TCP round trip) or with any JavaScript on a content page. Writes docs/budget.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';

const LIMIT = 14 * 1024;
const dataDir = mkdtempSync(path.join(tmpdir(), 'qubi-budget-'));
const child = spawn(process.execPath, ['scripts/start.ts'], {
  // No minimum fill time: the booking pages below are reached by posting their forms at once.
  env: {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    NODE_ENV: 'production',
    // A production build measured on the demo's desks and events (a production start seeds none).
    SEED_SAMPLES: 'yes',
    APP_SECRET: THROWAWAY_APP_SECRET,
    FORM_MIN_FILL_SECONDS: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const origin = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
    const m = /running at (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
  });
  child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

async function bytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

const eventsHtml = (await bytes(`${origin}/it/eventi`)).toString();
const eventPath = /href="(\/it\/eventi\/[a-z0-9-]+)"/.exec(eventsHtml)?.[1] ?? '/it/eventi';
// The booking flow's steps after the first are answers to form posts: walk it as a browser
// without JavaScript does (hidden fields carried, one booking made) and measure each answer.
const hiddenFields = (html: string) =>
  [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
    m[1]!,
    m[2]!.replace(/&amp;/g, '&'),
  ]);
const formPost = (fields: string[][]): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual',
});
const bookingPath = '/ar/sportelli/gallaratese/prenota';
const firstSlot = /name="slot" id="slot-0" value="([^"]+)"/.exec((await bytes(origin + bookingPath)).toString())![1]!;
const detailsPath = `${bookingPath}/dettagli?slot=${encodeURIComponent(firstSlot)}`;
const toContact = formPost([
  ...hiddenFields((await bytes(origin + detailsPath)).toString()),
  ['topic', 'orientation'],
  ['note', 'Una nota breve.'],
]);
const contactHtml = await (await fetch(`${origin}${bookingPath}/contatti`, toContact)).text();
const toCheck = formPost([
  ...hiddenFields(contactHtml),
  ['firstName', 'Amina'],
  ['phone', '333 123 4567'],
  ['locale', 'ar'],
  ['privacyAccepted', 'yes'],
]);
const checkHtml = await (await fetch(`${origin}${bookingPath}/riepilogo`, toCheck)).text();
const confirmed = await fetch(`${origin}${bookingPath}/riepilogo`, formPost(hiddenFields(checkHtml)));
const confirmationPath = confirmed.headers.get('location') ?? `${bookingPath}/confermata`;

const pageTypes: [string, string, boolean, RequestInit?][] = [
  ['home', '/it', true],
  // The desks list carries the site's one island ("nearest desk", issue #14): its JavaScript is counted, not refused.
  ['desks', '/it/sportelli', false],
  ['desk', '/it/sportelli/gallaratese', true],
  ['events', '/it/eventi', true],
  ['event', eventPath, true],
  ['campaign', '/it/zaino-sospeso', true],
  ['about', '/it/chi-siamo', true],
  ['faq', '/ar/faq', true],
  ['privacy', '/zh/privacy', true],
  ['404', '/it/missing-page', true],
  ['booking: time', bookingPath, true],
  ['booking: details', detailsPath, true],
  ['booking: contact', `${bookingPath}/contatti`, true, toContact],
  ['booking: check answers', `${bookingPath}/riepilogo`, true, toCheck],
  ['booking: confirmation', confirmationPath, true],
  ['booking: cancel by reference', '/it/prenotazione/annulla', true],
  ['pledge: form', '/it/zaino-sospeso/dona', true],
  ['pledge: confirmation (link expired)', '/it/zaino-sospeso/grazie', true],
  ['pledge: manage (not found)', '/it/zaino-sospeso/gestisci', true],
  ['volunteer: form', '/it/volontari', true],
  ['volunteer: check your email', '/it/volontari/grazie', true],
  ['volunteer: confirm (link expired)', '/it/volontari/conferma', true],
  ['volunteer: withdraw', `/it/volontari/ritira?token=1.${'a'.repeat(43)}`, true],
];

/** An island's modules (component and renderer) and every module they import, each once. */
async function islandModules(html: string): Promise<Buffer[]> {
  const seen = new Map<string, Buffer>();
  const queue = [...html.matchAll(/<astro-island[^>]*\scomponent-url="([^"]+)"[^>]*\srenderer-url="([^"]+)"/g)].flatMap(
    (m) => [m[1]!, m[2]!],
  );
  for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
    if (seen.has(url)) continue;
    const body = await bytes(origin + url);
    seen.set(url, body);
    for (const m of body.toString().matchAll(/\bfrom\s*"(\.\/[^"]+\.js)"/g))
      queue.push(new URL(m[1]!, origin + url).pathname);
  }
  return [...seen.values()];
}

const rows: string[] = [];
let failed = false;
for (const [name, pagePath, contentPage, init] of pageTypes) {
  const res = await fetch(origin + pagePath, init);
  const html = Buffer.from(await res.arrayBuffer());
  const text = html.toString();
  const css = await Promise.all(
    [...text.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => bytes(origin + m[1])),
  );
  const scripts = await Promise.all(
    [...text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => bytes(origin + m[1])),
  );
  const inlineJs = [...text.matchAll(/<script(?![^>]*application\/ld\+json)[^>]*>([\s\S]*?)<\/script>/g)].reduce(
    (n, m) => n + m[1]!.length,
    0,
  );
  const all = Buffer.concat([html, ...css]);
  const gz = gzipSync(html, { level: 9 }).length + css.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
  const br =
    brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length +
    css.reduce((n, c) => n + brotliCompressSync(c).length, 0);
  const js = [...scripts, ...(await islandModules(text))].reduce((n, s) => n + s.length, 0) + inlineJs;
  const over = gz > LIMIT || (contentPage && js > 0);
  failed ||= over;
  rows.push(
    `| ${name} | \`${pagePath.replace(/([?&]c=)[^&]+/, '$1…')}\` | ${(all.length / 1024).toFixed(1)} | ${(gz / 1024).toFixed(1)} | ${(br / 1024).toFixed(1)} | ${js} | ${over ? 'OVER' : 'ok'} |`,
  );
}
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });

const table = [
  '| page type | path | HTML+CSS raw KB | gzip KB | brotli KB | JS bytes | budget |',
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);
writeFileSync(
  'docs/budget.md',
  `# Page weight budget\n\nMeasured by \`npm run budget\` on the built site (${new Date().toISOString().slice(0, 10)}). Budget: HTML + CSS of each page type at most 14 KB compressed (gzip, the conservative figure), fonts apart; 0 bytes of JavaScript on content pages. Fonts: three Titillium Web weights, latin subset, woff2, loaded only by Latin-script pages.\n\n${table}\n`,
);
if (failed) {
  console.error('Budget exceeded.');
  process.exit(1);
}
console.log('Every page type is within budget.');
