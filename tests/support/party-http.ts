// The seeded 22 December party over plain HTTP, as the event sign-up and waiting-list tests use it:
// a browser without JavaScript (its cookies in a Jar, redirects not followed, forms sent with the
// site's own Origin), the party's JSON API and its seats left. The server and the party's slug are
// read when a request is made (they are known once the test file's beforeAll has run).
import { Jar } from './cookie-jar.ts';
import { decodeEntities } from './html-form.ts';

/** The party's slug starts so (a date follows). */
export const PARTY_SLUG_PREFIX = 'festa-di-natale-qubi-casa-dei-giochi';

/** The party's slug as the public API lists it. */
export async function partySlug(origin: string): Promise<string> {
  const events = (await (await fetch(`${origin}/api/v1/events`)).json()) as { slug: string }[];
  return events.find((e) => e.slug.startsWith(PARTY_SLUG_PREFIX))!.slug;
}

export function partyHttp(
  where: () => { origin: string; slug: string },
  /** Entities in the pages decoded (to look for sentences with apostrophes). */
  options: { decodeHtml?: boolean } = {},
) {
  async function request(path: string, jar: Jar, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (jar.cookies.size > 0) headers.set('Cookie', jar.header());
    const res = await fetch(where().origin + path, { redirect: 'manual', ...init, headers });
    jar.store(res.headers);
    const html = await res.text();
    return {
      status: res.status,
      html: options.decodeHtml ? decodeEntities(html) : html,
      location: res.headers.get('location'),
    };
  }
  const post = (path: string, fields: [string, string][], jar: Jar) =>
    request(path, jar, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: where().origin },
      body: new URLSearchParams(fields).toString(),
    });
  /** A JSON POST to the party's API (`registrations`, `waiting-list/{reference}/confirm`…). */
  const api = (path: string, body: unknown) =>
    fetch(`${where().origin}/api/v1/events/${where().slug}/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** The party's seats, as GET /api/v1/events says them. */
  async function seats(): Promise<{ total: number; left: number } | null> {
    const { origin, slug } = where();
    const events = (await (await fetch(`${origin}/api/v1/events`)).json()) as {
      slug: string;
      seats: { total: number; left: number } | null;
    }[];
    return events.find((e) => e.slug === slug)!.seats;
  }
  return { request, post, api, seats };
}
