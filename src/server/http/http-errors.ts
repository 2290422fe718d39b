// Requests the site's pages cannot serve, answered before any page code runs: a method a page does
// not take (405), a form post whose body is not a form (415) or is empty (400), a ".../index.html"
// address (301 to the page). Used by src/middleware.ts (pages rendered on demand) and by
// scripts/serve.ts (files of dist/client, and paths Astro fails on before the middleware runs).
// Each answer is a short page in the language of the path, or JSON under /api.
import { DEFAULT_LOCALE, HREFLANG, isLocale, textDirection, type Locale } from '#/lib/locales.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { escapeHtml } from '#/lib/text.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError } from './api-respond.ts';

/** What an HTML page takes: reading it, and posting its own form. */
export const PAGE_METHODS = ['GET', 'HEAD', 'POST'] as const;
/** What a file of dist/client (and any GET-only address) takes. */
export const READ_METHODS = ['GET', 'HEAD'] as const;

/** Browsers send a plain form as this type; no form of the site uploads files (no multipart). */
const FORM_TYPE = 'application/x-www-form-urlencoded';

export type ErrorStatus = 400 | 405 | 415;

/** The locale of a path's first segment, if it is one. */
export function pathLocale(pathname: string): Locale | undefined {
  const first = pathname.split('/')[1];
  return isLocale(first) ? first : undefined;
}

/**
 * A small page in the visitor's language: title, one sentence and a link home. Self-contained (no
 * stylesheet, no script) so it can be sent from any layer, even before Astro runs.
 */
export function errorPageHtml(locale: Locale, status: number): string {
  const t = getTranslator(locale);
  const title = escapeHtml(t(`error.${status}.title`));
  const text = escapeHtml(t(`error.${status}.text`));
  return `<!doctype html><html lang="${HREFLANG[locale]}" dir="${textDirection(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title></head><body><main><h1>${title}</h1><p>${text}</p><p><a href="/${locale}">${escapeHtml(t('nav.home'))}</a></p></main></body></html>`;
}

/** The error answer for a page path: the localized page, with Allow on a 405. */
export function pageError(pathname: string, status: ErrorStatus, allow: readonly string[] = PAGE_METHODS): Response {
  const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' };
  if (status === 405) headers.Allow = allow.join(', ');
  return new Response(errorPageHtml(pathLocale(pathname) ?? DEFAULT_LOCALE, status), { status, headers });
}

/** The API's 405: JSON naming the methods the endpoint takes. */
export function apiMethodNotAllowed(allow: readonly string[]): Response {
  const response = apiError(405, 'method_not_allowed', { message: `this endpoint takes ${allow.join(', ')}`, allow });
  response.headers.set('Allow', allow.join(', '));
  return response;
}

/** The API's 404 for an address with no endpoint. */
export function apiNotFound(): Response {
  return apiError(404, 'not_found', { message: 'no endpoint at this address; see /api/v1 in docs/api.md' });
}

/**
 * Why a POST to an HTML page cannot be a form submission, if it cannot: 415 when the body is
 * declared as anything but a plain form (JSON, multipart, text), 400 when nothing declares a body
 * at all. An empty plain form is a form (the staff sign-out button sends one). Judged from the
 * headers only, so nothing is read and page code never sees such a body.
 */
export function formPostProblem(headers: Headers): 400 | 415 | undefined {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (!type) {
    const length = headers.get('content-length');
    return length === null || length === '0' ? (headers.has('transfer-encoding') ? 415 : 400) : 415;
  }
  return type === FORM_TYPE ? undefined : 415;
}

/** Methods an endpoint module answers (its exported handlers; HEAD with GET, as Astro does). */
export function endpointMethods(mod: Record<string, unknown>): string[] {
  if (typeof mod.ALL === 'function') return [];
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter(
    (m) => typeof mod[m] === 'function',
  );
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.splice(1, 0, 'HEAD');
  return methods;
}

/**
 * Where a ".../index.html" address belongs (the page itself, query kept), or undefined. Astro
 * matches such a path to the page but cannot read its parameters from it and fails with a 500
 * before the middleware runs, so the server answers it first.
 */
export function indexHtmlRedirect(url: string): string | undefined {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  if (!/\/index\.html$/i.test(pathname)) return undefined;
  // Leading slashes collapsed: "//host/index.html" must not become a link to another site.
  const target = pathname.slice(0, -'/index.html'.length).replace(/^[/\\]+/, '/') || '/';
  return target + (q < 0 ? '' : url.slice(q));
}

/**
 * Answers, in the raw node:http layer in front of the adapter, what must not reach it: a method
 * other than GET or HEAD on a file of dist/client (the adapter would send the file for any method)
 * and ".../index.html" addresses. Returns true when it answered.
 */
export function earlyAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  files: { isFile(url: string): boolean },
): boolean {
  const url = req.url ?? '/';
  const method = (req.method ?? 'GET').toUpperCase();
  const location = indexHtmlRedirect(url);
  if (location) {
    res.writeHead(301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' }).end();
    return true;
  }
  if (!files.isFile(url) || (READ_METHODS as readonly string[]).includes(method)) return false;
  const pathname = url.split('?')[0]!;
  // Drained, not read: the body of a refused request is never looked at.
  req.resume();
  const body = errorPageHtml(pathLocale(pathname) ?? DEFAULT_LOCALE, 405);
  res.writeHead(405, {
    Allow: READ_METHODS.join(', '),
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
  return true;
}
