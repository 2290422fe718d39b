// The Content-Security-Policy of one HTML page, worked out from the page itself. Astro's own
// security.csp lists the hashes of every script and style of the whole build on every page (28
// hashes, ~2.6 KB, more than a third of a compressed page); this lists only what the page carries:
// a page that runs no script gets `script-src 'none'`, and each inline <script> or <style> is
// allowed by its own hash. An Astro island is covered with no extra step: its hydration code is an
// inline <script> in the page (hashed here) and its component and renderer are modules loaded
// from the site's own origin ('self').
import { createHash } from 'node:crypto';

/** The directives every page shares; script-src and style-src are the page's own. */
const BASE_DIRECTIVES = [
  "default-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'self'",
  "object-src 'none'",
];

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const STYLE = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;
// Data blocks (JSON-LD) are never run: the policy does not apply to them.
const DATA_BLOCK = /\btype\s*=\s*["']?application\/(?:ld\+)?json/i;
const EXTERNAL = /\bsrc\s*=/i;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy for `html`; `asHeader` adds frame-ancestors, which only a header can carry. */
export function pageCsp(html: string, options: { asHeader: boolean }): string {
  let runsScript = false;
  const scriptHashes = new Set<string>();
  for (const [, attributes, body] of html.matchAll(SCRIPT)) {
    if (DATA_BLOCK.test(attributes!)) continue;
    runsScript = true;
    if (!EXTERNAL.test(attributes!)) scriptHashes.add(hash(body!));
  }
  const styleHashes = new Set([...html.matchAll(STYLE)].map((m) => hash(m[1]!)));
  const directives = [
    ...BASE_DIRECTIVES,
    runsScript ? ["script-src 'self'", ...scriptHashes].join(' ') : "script-src 'none'",
    ["style-src 'self'", ...styleHashes].join(' '),
  ];
  if (options.asHeader) directives.push("frame-ancestors 'none'");
  return `${directives.join('; ')};`;
}

/** A prerendered page has no headers of its own: its policy goes in a <meta> at the top of <head>. */
export function withCspMeta(html: string): string {
  const meta = `<meta http-equiv="content-security-policy" content="${pageCsp(html, { asHeader: false })}">`;
  return html.replace(/<head\b[^>]*>/i, (head) => head + meta);
}
