// Sets the request's language (from the path's locale prefix) and its translator, and who is
// signed in (authentication only). Authorization never happens here: each staff page and action
// checks its own with `can` (src/features/staff-accounts/policy.ts).
import { defineMiddleware } from 'astro:middleware';
import { DEFAULT_LOCALE, textDirection } from '#/lib/locales.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { readStaffSession } from '#/features/staff-accounts/guard.ts';
import { isDatabaseUnavailable } from '#/server/db/errors.ts';
import { runFormAction } from '#/server/actions/run-form-action.ts';
import { answerBarePost, isBarePost } from '#/server/actions/bare-post.ts';
import type { Translate } from '#/lib/i18n.ts';
import { HREFLANG, type Locale } from '#/lib/locales.ts';
import {
  apiMethodNotAllowed,
  endpointMethods,
  formPostProblem,
  pageError,
  pathLocale,
  PAGE_METHODS,
} from '#/server/http/http-errors.ts';
import { addOpenDataHeaders, isOpenDataPath, openDataPreflight } from '#/server/http/open-data-cors.ts';
import { pageCsp, withCspMeta } from '#/server/http/page-csp.ts';

// The endpoint modules by route pattern ("/api/v1/desks/[slug]/slots"), loaded only when a request
// needs to know which methods one takes (Astro itself answers a missing handler with a bare 404).
const ENDPOINTS = new Map(
  Object.entries(import.meta.glob<Record<string, unknown>>('./pages/**/*.ts')).map(([file, load]) => [
    file.slice('./pages'.length, -'.ts'.length).replace(/\/index$/, '') || '/',
    load,
  ]),
);

export const onRequest = defineMiddleware(async (context, next) => {
  // A page that rewrites to /404 or /500 runs this again with that path: the language stays the
  // one of the address the visitor asked for (originPathname).
  const locale = pathLocale(context.url.pathname) ?? pathLocale(context.originPathname) ?? DEFAULT_LOCALE;
  context.locals.locale = locale;
  context.locals.t = getTranslator(locale);
  context.locals.dir = textDirection(locale);
  const preflight = await answerPreflight(context.request, context.url.pathname, context.routePattern);
  if (preflight) return preflight;
  const refused = context.isPrerendered
    ? undefined
    : await refuseUnservable(context.request, context.url.pathname, context.routePattern);
  if (refused) return refused;
  let response: Response;
  try {
    context.locals.staff = context.isPrerendered ? null : await readStaffSession(context);
    // Endpoints read their own bodies; a page's POST is an action's, or answered as a bare POST.
    const page = !ENDPOINTS.has(context.routePattern) && !context.routePattern.startsWith('/_');
    if (page && isBarePost(context)) response = await answerBarePost(context, next);
    else response = (await runFormAction(context, next)) ?? (await next());
  } catch (error) {
    // The database is away: answer at once with 503 and a plain, readable page (Astro's 500 page
    // would say "error"); the pool reconnects by itself when PostgreSQL is back.
    if (!isDatabaseUnavailable(error)) throw error;
    if (context.url.pathname.startsWith('/api/')) {
      const unavailable = unavailableJson(context.locals.t);
      addOpenDataHeaders(context.request.method, context.url.pathname, unavailable);
      return unavailable;
    }
    return withPageCsp(unavailablePage(context.locals.t, locale, context.locals.dir), false);
  }
  addOpenDataHeaders(context.request.method, context.url.pathname, response);
  return withPageCsp(response, context.isPrerendered);
});

/**
 * The 405, 415 or 400 for a request no page or endpoint of this route can serve, before any page
 * code runs: a method the route does not take (JSON under /api), or a POST to a page whose body
 * is not a plain form.
 */
async function refuseUnservable(
  request: Request,
  pathname: string,
  routePattern: string,
): Promise<Response | undefined> {
  // Astro's own routes (/_actions/…, /_image) check their requests themselves.
  if (routePattern.startsWith('/_')) return undefined;
  const method = request.method.toUpperCase();
  const endpoint = ENDPOINTS.get(routePattern);
  if (endpoint) {
    const methods = await methodsOf(routePattern, endpoint);
    if (!methods.length || methods.includes(method)) return undefined;
    return pathname.startsWith('/api/') ? apiMethodNotAllowed(methods) : pageError(pathname, 405, methods);
  }
  if (!(PAGE_METHODS as readonly string[]).includes(method)) return pageError(pathname, 405);
  if (method !== 'POST') return undefined;
  const problem = formPostProblem(request.headers);
  return problem ? pageError(pathname, problem) : undefined;
}

/** A CORS preflight for an API address that takes GET; other OPTIONS requests go on to their 405. */
async function answerPreflight(
  request: Request,
  pathname: string,
  routePattern: string,
): Promise<Response | undefined> {
  if (request.method.toUpperCase() !== 'OPTIONS' || !isOpenDataPath(pathname)) return undefined;
  const endpoint = ENDPOINTS.get(routePattern);
  if (!endpoint || !(await methodsOf(routePattern, endpoint)).includes('GET')) return undefined;
  return openDataPreflight();
}

// The methods of each endpoint, worked out once per route: an endpoint's exports never change.
const METHODS = new Map<string, readonly string[]>();
async function methodsOf(
  routePattern: string,
  load: () => Promise<Record<string, unknown>>,
): Promise<readonly string[]> {
  let methods = METHODS.get(routePattern);
  if (!methods) METHODS.set(routePattern, (methods = endpointMethods(await load())));
  return methods;
}

const UNAVAILABLE_HEADERS = { 'Retry-After': '30', 'Cache-Control': 'no-store' };

/** The API's clients read JSON: the same 503 as a body they can parse, the message in Italian. */
function unavailableJson(t: Translate): Response {
  return Response.json(
    { error: 'unavailable', message: t('error.503.text') },
    { status: 503, headers: UNAVAILABLE_HEADERS },
  );
}

function unavailablePage(t: Translate, locale: Locale, dir: 'ltr' | 'rtl'): Response {
  const html = `<!doctype html><html lang="${HREFLANG[locale]}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${t('error.503.title')}</title></head><body><main><h1>${t('error.503.title')}</h1><p>${t('error.503.text')}</p><p><a href="/${locale}">${t('nav.home')}</a></p></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', ...UNAVAILABLE_HEADERS },
  });
}

/**
 * An HTML page with the Content-Security-Policy of what it carries (src/server/http/page-csp.ts): a
 * header on pages rendered on demand, a <meta> in the files prerendered at build time (the server
 * adds frame-ancestors to those as a header, src/server/http/security-headers.ts).
 */
async function withPageCsp(response: Response, prerendered: boolean): Promise<Response> {
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/html')) return response;
  const html = await response.text();
  const headers = new Headers(response.headers);
  if (prerendered) return new Response(withCspMeta(html), { status: response.status, headers });
  headers.set('content-security-policy', pageCsp(html, { asHeader: true }));
  return new Response(html, { status: response.status, statusText: response.statusText, headers });
}
