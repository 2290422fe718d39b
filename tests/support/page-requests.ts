// A browser without JavaScript, by hand: GET a page or POST a form to the test server, never
// following redirects (the 303 and its Location are what a test checks), and the draft cookie a
// refused form sets, to send back with the GET that shows the errors.
import type { RunningServer } from './server.ts';

export function pageRequests(server: () => RunningServer) {
  return async function send(path: string, init: { fields?: [string, string][]; cookie?: string } = {}) {
    const { origin } = server();
    const headers = new Headers();
    if (init.cookie) headers.set('Cookie', init.cookie);
    let body: string | undefined;
    if (init.fields) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
      headers.set('Origin', origin);
      body = new URLSearchParams(init.fields).toString();
    }
    const res = await fetch(origin + path, { method: init.fields ? 'POST' : 'GET', headers, body, redirect: 'manual' });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };
}

/** The public form drafts a response sets, as a Cookie header. */
export const draftCookie = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => c.startsWith('qubi-draft-'))
    .join('; ');
