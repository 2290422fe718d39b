// npm run budget [-- --scale [--url postgres://…]] — weight of each page type of the built site:
// HTML + CSS compressed (gzip and brotli), fonts apart, and the JavaScript each page loads, in every
// locale (the heaviest locale is reported). Fails when HTML + CSS compressed and the headers pass
// 14 KB (the first TCP round trip) or with any JavaScript on a content page. Writes docs/budget.md. With --scale the server runs on
// the city-scale data of `npm run bench:scale` (PostgreSQL, schema qubi_scale, seeded if missing):
// 90 desks, 10,000 events; without it, on a fresh embedded database with the site's own data.
import { writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { LOCALES } from '#/lib/locales.ts';
import { Jar } from '../tests/support/cookie-jar.ts';
import { latestCodeFromOutbox } from '../tests/support/codes.ts';
import { startMeasuredSite } from './measured-site.ts';

const LIMIT = 14 * 1024;
const scale = process.argv.includes('--scale');
// On the scale data this script reads the booking's code from the outbox, as the person reads the SMS.
const site = await startMeasuredSite({ FORM_MIN_FILL_SECONDS: '0' });
const { origin, deskSlug, scaleDb } = site;

async function bytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

const eventsHtml = (await bytes(`${origin}/it/eventi`)).toString();
const eventPath = /href="(\/it\/eventi\/[a-z0-9-]+)"/.exec(eventsHtml)?.[1] ?? '/it/eventi';
interface Weight {
  path: string;
  raw: number;
  gz: number;
  br: number;
  js: number;
  /** The response's status line and headers, as sent over HTTP/1.1: they share the first round trip. */
  headers: number;
}

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

async function weigh(pagePath: string, init?: RequestInit): Promise<Weight> {
  const res = await fetch(origin + pagePath, init);
  if (res.status >= 500) throw new Error(`${pagePath}: ${res.status}`);
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
  return {
    path: pagePath,
    raw: html.length + css.reduce((n, c) => n + c.length, 0),
    gz: gzipSync(html, { level: 9 }).length + css.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0),
    br:
      brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length +
      css.reduce((n, c) => n + brotliCompressSync(c).length, 0),
    js: [...scripts, ...(await islandModules(text))].reduce((n, c) => n + c.length, 0) + inlineJs,
    headers: [...res.headers].reduce(
      (n, [k, v]) => n + k.length + v.length + 4,
      `HTTP/1.1 ${res.status} ${res.statusText}\r\n\r\n`.length,
    ),
  };
}

/** Over budget: HTML + CSS compressed and the headers past 14 KB, or JavaScript on a content page. */
const overBudget = (w: Weight, js: number, contentPage: boolean) => w.gz + w.headers > LIMIT || (contentPage && js > 0);
const kb = (n: number) => (n / 1024).toFixed(1);
const row = (name: string, w: Weight, js: number, over: boolean) =>
  `| ${name} | \`${w.path.replace(/([?&]c=)[^&]+/, '$1…')}\` | ${kb(w.raw)} | ${kb(w.gz)} | ${kb(w.br)} | ${w.headers} | ${js} | ${over ? 'OVER' : 'ok'} |`;

const bookingPath = `/ar/sportelli/${deskSlug}/prenota`;
// The booking flow's steps: each form posts to an action that answers 303 to the next step, with
// the answers in the sealed draft cookie. Walk it as a browser without JavaScript does (hidden
// fields carried, one booking made) and weigh each step's page with that cookie.
const jar = new Jar();
const withCookie = (): RequestInit => ({ headers: { cookie: jar.header() } });
async function stepPage(pagePath: string): Promise<string> {
  const res = await fetch(origin + pagePath, { ...withCookie(), redirect: 'manual' });
  jar.store(res.headers);
  if (res.status !== 200) throw new Error(`${pagePath}: ${res.status}`);
  return res.text();
}
/** Posts the form that holds the field `holding`, with its hidden fields and `values`; gives the 303's target. */
async function postForm(html: string, holding: string, values: string[][]): Promise<string> {
  const form = [...html.matchAll(/<form\b[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) =>
    m[2]!.includes(`name="${holding}"`),
  );
  if (!form) throw new Error(`no form with ${holding}`);
  const hidden = [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
    m[1]!,
    m[2]!.replace(/&amp;/g, '&'),
  ]);
  const res = await fetch(origin + form[1]!.replace(/&amp;/g, '&'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin, cookie: jar.header() },
    body: new URLSearchParams([...hidden, ...values]).toString(),
    redirect: 'manual',
  });
  jar.store(res.headers);
  const location = res.headers.get('location');
  if (res.status !== 303 || !location) throw new Error(`${form[1]}: ${res.status}`);
  return location;
}
// A phone of its own each run: a second booking at the same desk by one phone is refused.
const phone = `333 ${String(Date.now()).slice(-7)}`;
const timeHtml = await stepPage(bookingPath);
const firstSlot = /name="slot" id="slot-0" value="([^"]+)"/.exec(timeHtml)![1]!;
const detailsPath = await postForm(timeHtml, 'slot', [['slot', firstSlot]]);
const detailsHtml = await stepPage(detailsPath);
const contactPath = await postForm(detailsHtml, 'topic', [
  ['topic', 'orientation'],
  ['note', 'Una nota breve.'],
]);
const contactHtml = await stepPage(contactPath);
const checkPath = await postForm(contactHtml, 'firstName', [
  ['firstName', 'Amina'],
  ['phone', phone],
  ['locale', 'ar'],
]);
const checkHtml = await stepPage(checkPath);
const bookingSteps: [string, string][] = [
  ['booking: details', detailsPath],
  ['booking: contact', contactPath],
  ['booking: check answers', checkPath],
];
// Weighed now, while the draft holds them; the confirmation after the booking is made.
const stepWeights = await Promise.all(bookingSteps.map(([, p]) => weigh(p, withCookie())));
// "Confirm" holds the place and sends a 6-digit code; typing it in makes the booking.
const codePath = await postForm(checkHtml, 'submissionKey', []);
const codeHtml = await stepPage(codePath);
bookingSteps.push(['booking: code', codePath]);
stepWeights.push(await weigh(codePath, withCookie()));
let confirmationPath: string | undefined;
if (scaleDb) {
  const code = await latestCodeFromOutbox(scaleDb, `+39${phone.replace(/ /g, '')}`);
  confirmationPath = await postForm(codeHtml, 'code', [['code', code]]);
  if (!confirmationPath.includes('/confermata')) throw new Error(`the booking was not made: ${confirmationPath}`);
}

const pageTypes: [string, string, boolean, RequestInit?][] = [
  // The home page and the desks list carry the "nearest desk" islands (issue #14): their JavaScript is counted, not refused.
  ['home', '/it', false],
  ['desks', '/it/sportelli', false],
  ['desk', `/it/sportelli/${deskSlug}`, true],
  ['events', '/it/eventi', true],
  ['event', eventPath, true],
  ['campaign', '/it/zaino-sospeso', true],
  ['about', '/it/chi-siamo', true],
  ['faq', '/ar/faq', true],
  ['service', '/it/servizi/orientation', true],
  ['contacts', '/it/contatti', true],
  ['search (desks, events, pages)', '/it/cerca?q=sportello', true],
  ['accessibility statement', '/it/accessibilita', true],
  ['legal notes', '/it/note-legali', true],
  ['waiting list', '/it/lista-attesa', true],
  ['privacy', '/zh/privacy', true],
  ['404', '/it/missing-page', true],
  ['booking: time', bookingPath, true],
  ['booking: cancel by reference', '/it/prenotazione/annulla', true],
  ['pledge: form', '/it/zaino-sospeso/dona', true],
  ['pledge: confirmation (link expired)', '/it/zaino-sospeso/grazie', true],
  ['pledge: manage (not found)', '/it/zaino-sospeso/gestisci', true],
  ['volunteer: form', '/it/volontari', true],
  ['volunteer: check your email', '/it/volontari/grazie', true],
  ['volunteer: confirm (link expired)', '/it/volontari/conferma', true],
  ['volunteer: withdraw', `/it/volontari/ritira?token=1.${'a'.repeat(43)}`, true],
];

// A page asked with GET is weighed in every locale (the same address with another prefix) and the
// heaviest is reported; the booking flow's posted steps once, in the locale they were reached in.
const rows: string[] = [];
let failed = false;
for (const [name, pagePath, contentPage, init] of pageTypes) {
  const prefix = /^\/[a-z]{2}(?=\/|$)/.exec(pagePath)?.[0];
  const paths = init || !prefix ? [pagePath] : LOCALES.map((l) => `/${l}${pagePath.slice(prefix.length)}`);
  const weights: Weight[] = [];
  for (const p of paths) weights.push(await weigh(p, init));
  const worst = weights.reduce((a, b) => (b.gz + b.headers > a.gz + a.headers ? b : a));
  const js = Math.max(...weights.map((w) => w.js));
  const over = overBudget(worst, js, contentPage);
  failed ||= over;
  rows.push(row(name, worst, js, over));
  console.log(rows.at(-1));
}
// The confirmation (on the scale data only: elsewhere the code is not readable from here).
if (confirmationPath) {
  bookingSteps.push(['booking: confirmation', confirmationPath]);
  stepWeights.push(await weigh(confirmationPath, withCookie()));
}
const afterTime = pageTypes.findIndex(([name]) => name === 'booking: time') + 1;
stepWeights.forEach((w, i) => {
  const over = overBudget(w, w.js, true);
  failed ||= over;
  rows.splice(afterTime + i, 0, row(bookingSteps[i]![0], w, w.js, over));
});
await site.stop();

const table = [
  "| page type | heaviest locale's path | HTML+CSS raw KB | gzip KB | brotli KB | header bytes | JS bytes | budget |",
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);
writeFileSync(
  'docs/budget.md',
  `# Page weight budget\n\nMeasured by \`npm run budget${scale ? ' -- --scale' : ''}\` on the built site (${new Date().toISOString().slice(0, 10)}), ${scale ? 'on the city-scale data of `npm run bench:scale` (90 desks, 10,000 events, 100,000 pledges)' : "on the site's own sample data"}; each page type in the eight locales, the heaviest shown. Budget: HTML + CSS of each page type compressed (gzip, the conservative figure) plus the response headers at most 14 KB (the first round trip), fonts apart; 0 bytes of JavaScript on content pages; the home page and the desks list carry the "nearest desk" island (issue #14), loaded once the page is idle: its JavaScript is counted (uncompressed bytes), not refused. Fonts: three Titillium Web weights, latin subset, woff2, loaded only by Latin-script pages.\n\n${table}\n`,
);
if (failed) {
  console.error('Budget exceeded.');
  process.exit(1);
}
console.log('Every page type is within budget.');
