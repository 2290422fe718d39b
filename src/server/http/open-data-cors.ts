// Cross-origin reading of the open data (/api/…): any site's script may GET it, with no
// credentials involved. Writes (POST) and staff pages never get these headers, so a browser keeps
// other sites from posting JSON in a visitor's name (their preflight is refused).

/** CC BY 4.0: reuse with attribution. Stated on every read of the API and in docs/api.md. */
export const LICENSE_URL = 'https://creativecommons.org/licenses/by/4.0/';
export const LICENSE_LINK = `<${LICENSE_URL}>; rel="license"`;

const READ = ['GET', 'HEAD'];

export function isOpenDataPath(pathname: string): boolean {
  return pathname.startsWith('/api/');
}

/** Adds CORS and the licence to a read of the API (errors included: a script can read why). */
export function addOpenDataHeaders(method: string, pathname: string, response: Response): void {
  if (!isOpenDataPath(pathname) || !READ.includes(method.toUpperCase())) return;
  try {
    response.headers.set('Access-Control-Allow-Origin', '*');
    // Readable by a script besides the CORS-safelisted ones (Cache-Control, Content-Type, Last-Modified…).
    response.headers.set('Access-Control-Expose-Headers', 'ETag, Link, Retry-After');
    if (!/rel="license"/.test(response.headers.get('link') ?? '')) response.headers.append('Link', LICENSE_LINK);
  } catch {
    // Immutable headers (a response passed through untouched): nothing to add to it.
  }
}

/**
 * The answer to a CORS preflight (OPTIONS) for an API address that takes GET: 204 allowing GET
 * and HEAD with the conditional headers. An address that takes no GET gets none (the caller's 405).
 */
export function openDataPreflight(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': READ.join(', '),
      'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, Accept, Accept-Language',
      'Access-Control-Max-Age': '86400',
      Allow: [...READ, 'OPTIONS'].join(', '),
      'Cache-Control': 'public, max-age=86400',
    },
  });
}
