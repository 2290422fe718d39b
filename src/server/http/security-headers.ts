// Headers on every response, static files included. A page's script and style policy is its own
// (src/server/http/page-csp.ts: a header on live pages, a <meta> in prerendered files); frame-ancestors
// can only be sent as a header, so the one here covers files.
import type { ServerResponse } from 'node:http';

/** The headers as a list: the front cache writes them with its answers in one writeHead. */
export function securityHeaders(options: { https: boolean }): [string, string][] {
  const headers: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['Content-Security-Policy', "frame-ancestors 'none'"],
    ['X-Frame-Options', 'DENY'],
    // Geolocation for the site's own pages only: the "nearest desk" island asks for it on a click (#14).
    ['Permissions-Policy', 'geolocation=(self), camera=(), microphone=(), interest-cohort=()'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    // No other site may embed our answers (pages, images, fonts) as no-cors subresources. The open
    // data API stays readable cross-origin: CORS requests are not subject to this header.
    ['Cross-Origin-Resource-Policy', 'same-origin'],
  ];
  if (options.https) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return headers;
}

export function applySecurityHeaders(res: ServerResponse, options: { https: boolean }): void {
  for (const [name, value] of securityHeaders(options)) res.setHeader(name, value);
}
