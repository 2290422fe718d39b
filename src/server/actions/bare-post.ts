// A POST to a page that names no action (no `?_action=`): every form of the site posts to an
// action, so such a body is a client's mistake (a form saved before the Actions, a script, a
// bookmark re-sent). One answer for every page: the page as its GET shows it, with its forms and a
// plain message that nothing was sent (status 400, never cached), and nothing changed. The two
// forms that have always taken a bare POST (staff sign-in and sign-out, which scripts and old
// tabs still send) are run as their action instead.
import type { APIContext, MiddlewareNext } from 'astro';

/** Pages whose bare POST is their one form's action, by route pattern. */
const BARE_POST_ACTIONS: Readonly<Record<string, string>> = {
  '/[locale]/staff/accesso': 'staffAccounts.signIn',
  '/[locale]/staff/esci': 'staffAccounts.signOut',
};

/** True when this request is a POST to a page that names no action. */
export function isBarePost(context: APIContext): boolean {
  return context.request.method === 'POST' && !context.url.searchParams.has('_action');
}

/** The answer to a bare POST (see above); `locals.formNotSent` makes the layouts say so. */
export async function answerBarePost(context: APIContext, next: MiddlewareNext): Promise<Response> {
  const action = BARE_POST_ACTIONS[context.routePattern];
  if (action) {
    const named = new URL(context.url);
    named.searchParams.set('_action', action);
    return context.rewrite(`${named.pathname}${named.search}`);
  }
  context.locals.formNotSent = true;
  const page = await next();
  // A redirect (sign-in first) or an error page stays what it is; only the page itself says 400.
  if (page.status !== 200) return page;
  const headers = new Headers(page.headers);
  headers.set('Cache-Control', 'no-store');
  return new Response(page.body, { status: 400, statusText: 'Bad Request', headers });
}
