// Conditional GET for what other systems poll (the open-data API, feeds, calendars, sitemaps): a
// strong ETag (a hash of the body) and a Last-Modified, so a subscriber's If-None-Match or
// If-Modified-Since gets a bodiless 304, and a Cache-Control that lets it keep its copy meanwhile.
// The `fresh` module decides, as the node adapter and the front cache (front-cache.ts) decide.
import { createHash } from 'node:crypto';
import fresh from 'fresh';
import { LRUCache } from 'lru-cache';

/**
 * How long a reader may use its copy before asking again (seconds), and how long it may keep
 * showing it while it asks. Short: the server's own cache is invalidated at once by every write,
 * and asking again costs a 304.
 */
export const POLL_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';
/** For answers that change with every booking (free slots): always ask, a 304 keeps it cheap. */
export const REVALIDATE_CACHE_CONTROL = 'public, no-cache';

export interface ConditionalOptions {
  contentType: string;
  cacheControl?: string;
  /** When the data shown last changed, when the data says so; otherwise the first time this body was served. */
  lastModified?: Date;
  headers?: Record<string, string>;
}

// A body's ETag → the first time this process served it: Last-Modified stays put while the body
// does, even when the rendered copy is dropped from the cache and rendered again.
const firstServed = new LRUCache<string, Date>({ max: 5000 });

export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** The answer to a GET or HEAD of `body`: 200 with validators, or 304 when the reader's copy is current. */
export function conditionalResponse(request: Request, body: string, options: ConditionalOptions): Response {
  const etag = strongEtag(body);
  let modified = options.lastModified;
  if (!modified) {
    modified = firstServed.get(etag) ?? new Date();
    firstServed.set(etag, modified);
  }
  // HTTP dates have whole seconds: a reader sends back exactly what it got.
  const lastModified = new Date(Math.floor(modified.getTime() / 1000) * 1000).toUTCString();
  const headers = new Headers(options.headers);
  headers.set('ETag', etag);
  headers.set('Last-Modified', lastModified);
  headers.set('Cache-Control', options.cacheControl ?? POLL_CACHE_CONTROL);
  const asked = {
    'if-none-match': request.headers.get('if-none-match') ?? undefined,
    'if-modified-since': request.headers.get('if-modified-since') ?? undefined,
  };
  if ((asked['if-none-match'] || asked['if-modified-since']) && fresh(asked, { etag, 'last-modified': lastModified }))
    return new Response(null, { status: 304, headers });
  headers.set('Content-Type', options.contentType);
  return new Response(body, { status: 200, headers });
}

/** A JSON body of the open-data API, answered conditionally. */
export function conditionalJson(
  request: Request,
  data: unknown,
  options: Omit<ConditionalOptions, 'contentType'> = {},
): Response {
  return conditionalResponse(request, JSON.stringify(data), {
    ...options,
    contentType: 'application/json; charset=utf-8',
  });
}
