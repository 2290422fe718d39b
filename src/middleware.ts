// Sets the request's language (from the path's locale prefix) and its translator, and who is
// signed in (authentication only). Authorization never happens here: each staff page and action
// checks its own with `can` (src/lib/auth/policy.ts).
import { defineMiddleware } from 'astro:middleware';
import { DEFAULT_LOCALE, isLocale, textDirection } from './lib/locales.ts';
import { getTranslator } from './lib/i18n.ts';
import { readStaffSession } from './lib/server/auth/guard.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  const first = context.url.pathname.split('/')[1];
  const locale = isLocale(first) ? first : DEFAULT_LOCALE;
  context.locals.locale = locale;
  context.locals.t = getTranslator(locale);
  context.locals.dir = textDirection(locale);
  context.locals.staff = context.isPrerendered ? null : await readStaffSession(context);
  const response = await next();
  // Astro sends its CSP as a header on on-demand pages; frame-ancestors only works as a header,
  // so it is added here (prerendered files get it from the server, src/lib/server/security-headers.ts).
  const csp = response.headers.get('content-security-policy');
  if (csp && !csp.includes('frame-ancestors')) {
    try {
      response.headers.set('content-security-policy', `${csp.trim().replace(/;?$/, ';')} frame-ancestors 'none';`);
    } catch {
      // Immutable headers (a response passed through untouched): the server-level header still applies to files.
    }
  }
  return response;
});
