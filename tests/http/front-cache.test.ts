// The front cache (src/server/cache/front-cache.ts) over HTTP against the built server: cached live
// pages and the slots API answered from memory with the headers Astro sent, every encoding, HEAD,
// invalidation by a booking, no storing of answers that set a cookie, and prerendered files with
// the adapter's headers.
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { sessionCookie } from '#/features/staff-accounts/session.ts';

interface SlotJson {
  start: string;
  remaining: number;
}
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '100000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '100000',
    MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
    HOLDS_PER_CLIENT: '1000000',
    BOOKINGS_PER_CONTACT_PER_DESK: '1000000',
    BOOKINGS_PER_CONTACT: '1000000',
  });
});
afterAll(async () => {
  await server?.stop();
});

/** A raw request (fetch would decode the body and hide Content-Encoding). */
function request(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const url = new URL(server.origin + path);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const decode = (r: Reply) =>
  r.headers['content-encoding'] === 'br'
    ? brotliDecompressSync(r.body)
    : r.headers['content-encoding'] === 'gzip'
      ? gunzipSync(r.body)
      : r.body;
/** Headers that differ between two answers of the same bytes anyway. */
const comparable = (h: http.IncomingHttpHeaders) => {
  const { date: _date, 'x-astro-cache': _cache, ...rest } = h;
  return rest;
};
const SECURITY = [
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
  'permissions-policy',
  'cross-origin-opener-policy',
];

describe('cached live pages', () => {
  it('answers a page twice with identical bytes and headers, CSP and security headers included', async () => {
    await request('/it/eventi', { 'accept-encoding': 'br' });
    const a = await request('/it/eventi', { 'accept-encoding': 'br' });
    const b = await request('/it/eventi', { 'accept-encoding': 'br' });
    expect(a.headers['x-astro-cache']).toBe('HIT');
    expect(b.headers['x-astro-cache']).toBe('HIT');
    expect(b.body.equals(a.body)).toBe(true);
    expect(comparable(b.headers)).toEqual(comparable(a.headers));
    expect(a.headers['content-security-policy']).toMatch(/script-src 'none'.*frame-ancestors 'none'/);
    for (const name of SECURITY) expect(a.headers[name], name).toBeTruthy();
    expect(a.headers['content-length']).toBe(String(a.body.length));
    expect(a.headers.vary).toBe('Accept-Encoding');
  });

  it('keeps the pages that show configuration, not data (About, privacy), in every locale', async () => {
    for (const path of ['/it/chi-siamo', '/ar/chi-siamo', '/it/privacy', '/zh/privacy']) {
      const rendered = await request(path, { 'accept-encoding': 'br' });
      const cached = await request(path, { 'accept-encoding': 'br' });
      expect(rendered.status, path).toBe(200);
      expect(cached.headers['x-astro-cache'], path).toBe('HIT');
      expect(decode(cached).equals(decode(rendered)), path).toBe(true);
    }
  });

  it('keys a page by the parameters it reads: tracking and unknown parameters are hits of one entry and never in its links', async () => {
    const first = await request('/it/sportelli?municipio=8&utm_source=news&fbclid=abc');
    const again = await request('/it/sportelli?zz=1&municipio=8&gclid=q');
    expect(again.headers['x-astro-cache']).toBe('HIT');
    expect(again.body.equals(first.body)).toBe(true);
    const html = first.body.toString();
    expect(html).toMatch(/<link rel="canonical" href="[^"]*\/it\/sportelli\?municipio=8">/);
    expect(html).toMatch(/<link rel="alternate" hreflang="ar" href="[^"]*\/ar\/sportelli\?municipio=8">/);
    expect(html).toContain('href="/en/sportelli?municipio=8" lang="en"');
    expect(html).not.toMatch(/utm_|fbclid|gclid|zz=/);
    // A page that reads no parameter: its links carry none.
    const home = (await request('/es?utm_campaign=x&page=2')).body.toString();
    expect(home).toMatch(/<link rel="canonical" href="[^"]*\/es">/);
    expect(home).toContain('href="/zh" lang="zh-Hans"');
    expect(home).not.toMatch(/utm_|page=2/);
  });

  it('the first, rendered answer and the cached ones carry the same headers', async () => {
    const rendered = await request('/en/eventi?front=headers');
    const cached = await request('/en/eventi?front=headers');
    expect(rendered.headers['x-astro-cache']).not.toBe('HIT');
    expect(cached.headers['x-astro-cache']).toBe('HIT');
    const { 'transfer-encoding': _te, 'content-length': _cl1, ...first } = comparable(rendered.headers);
    const { 'content-length': _cl2, ...again } = comparable(cached.headers);
    expect(again).toEqual(first);
    expect(cached.body.equals(rendered.body)).toBe(true);
  });

  it('decodes to the same HTML with brotli, gzip and identity, and never encodes twice', async () => {
    await request('/it/sportelli');
    const br = await request('/it/sportelli', { 'accept-encoding': 'br' });
    const gz = await request('/it/sportelli', { 'accept-encoding': 'gzip' });
    const id = await request('/it/sportelli', { 'accept-encoding': 'identity' });
    const none = await request('/it/sportelli');
    expect([br, gz, id, none].map((r) => r.headers['x-astro-cache'])).toEqual(['HIT', 'HIT', 'HIT', 'HIT']);
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(id.headers['content-encoding']).toBeUndefined();
    const html = none.body.toString('utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    for (const r of [br, gz, id]) expect(decode(r).toString('utf8')).toBe(html);
  });

  it('answers HEAD from the cache with the headers and no body', async () => {
    await request('/it/eventi');
    const full = await request('/it/eventi');
    const head = await request('/it/eventi', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['x-astro-cache']).toBe('HIT');
    expect(head.headers['content-length']).toBe(String(full.body.length));
    expect(head.headers['content-security-policy']).toBe(full.headers['content-security-policy']);
  });

  it('shows the new remaining count of a slot at once after a booking', async () => {
    const url = '/api/v1/desks/villapizzone/slots';
    const before = JSON.parse((await request(url)).body.toString()) as SlotJson[];
    const cached = await request(url, { 'accept-encoding': 'gzip' });
    expect(cached.headers['x-astro-cache']).toBe('HIT');
    const slot = before.find((s) => s.remaining > 0)!;
    expect(slot).toBeDefined();
    const made = await fetch(`${server.origin}/api/v1/bookings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        desk: 'villapizzone',
        start: slot.start,
        name: 'Amina',
        phone: '+393331112233',
        locale: 'it',
        privacyAccepted: true,
      }),
    });
    expect(made.status).toBe(201);
    const after = await request(url, { 'accept-encoding': 'gzip' });
    expect(after.headers['x-astro-cache']).not.toBe('HIT');
    expect((JSON.parse(decode(after).toString()) as SlotJson[]).find((s) => s.start === slot.start)!.remaining).toBe(
      slot.remaining - 1,
    );
    // And the fresh answer is cached again.
    const again = await request(url, { 'accept-encoding': 'gzip' });
    expect(again.headers['x-astro-cache']).toBe('HIT');
    expect(decode(again).equals(decode(after))).toBe(true);
  });

  it('never stores an answer that sets a cookie', async () => {
    // A stale session cookie is deleted by the answer (Set-Cookie): that answer must not be cached.
    // A key no other test uses (a parameter the page reads: unknown ones share the entry of the page).
    const path = '/it/sportelli?municipio=7';
    const withCookie = await request(path, { cookie: `${sessionCookie(false).name}=not-a-session` });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers['set-cookie']?.join()).toContain(sessionCookie(false).name);
    const next = await request(path);
    expect(next.headers['x-astro-cache']).not.toBe('HIT');
    expect(next.headers['set-cookie']).toBeUndefined();
    const cached = await request(path);
    expect(cached.headers['x-astro-cache']).toBe('HIT');
    expect(cached.headers['set-cookie']).toBeUndefined();
  });

  it('does not cache pages that are not live data, nor POST answers', async () => {
    await request('/it/sportelli/gallaratese/prenota');
    expect((await request('/it/sportelli/gallaratese/prenota')).headers['x-astro-cache']).toBeUndefined();
    await request('/it/nope-front');
    const missing = await request('/it/nope-front');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-astro-cache']).toBeUndefined();
  });
});

describe('prerendered pages and files', () => {
  it("keep the adapter's headers from memory, answer 304 to their ETag, and keep the trailing-slash redirect", async () => {
    // The first answer is the adapter's (compressed as it streams), the next ones come from memory.
    const first = await request('/it/faq', { 'accept-encoding': 'br' });
    const second = await request('/it/faq', { 'accept-encoding': 'br' });
    const third = await request('/it/faq', { 'accept-encoding': 'br' });
    expect(first.status).toBe(200);
    expect(decode(second).equals(decode(first))).toBe(true);
    expect(third.body.equals(second.body)).toBe(true);
    expect(comparable(third.headers)).toEqual(comparable(second.headers));
    for (const name of [
      'etag',
      'last-modified',
      'cache-control',
      'content-type',
      'accept-ranges',
      'content-security-policy',
      'vary',
      'content-encoding',
      ...SECURITY,
    ]) {
      expect(second.headers[name], name).toBe(first.headers[name]);
    }
    expect(second.headers['cache-control']).toBe('public, max-age=0');
    expect(second.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(second.headers['content-encoding']).toBe('br');
    expect(second.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    expect(second.headers['x-astro-cache']).toBeUndefined();
    const plain = await request('/it/faq');
    expect(decode(second).equals(plain.body)).toBe(true);

    const notModified = await request('/it/faq', { 'if-none-match': String(first.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(first.headers.etag);
    expect(notModified.headers['x-frame-options']).toBe('DENY');

    const head = await request('/it/faq', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(plain.body.length));

    for (const path of ['/it/faq/', '/it/chi-siamo/']) {
      const redirect = await request(path);
      expect(redirect.status, path).toBe(301);
      expect(redirect.headers.location).toBe(path.slice(0, -1));
    }
  });

  it('keep the immutable Cache-Control of /_astro/ assets and the fonts', async () => {
    const home = (await request('/it')).body.toString();
    const asset = /\/_astro\/[^"']+\.js/.exec(home)?.[0];
    const fonts = [
      ...new Set([...home.matchAll(/\/_astro\/titillium-web-latin-\d00-normal\.[\w-]+\.woff2/g)].map((m) => m[0])),
    ];
    // Three weights in the @font-face rules, each under a fingerprinted name; the regular one preloaded.
    expect(fonts).toHaveLength(3);
    expect(home).toMatch(
      /<link rel="preload" href="\/_astro\/titillium-web-latin-400-normal\.[\w-]+\.woff2" as="font" type="font\/woff2" crossorigin="anonymous">/,
    );
    for (const path of [...fonts, ...(asset ? [asset] : [])]) {
      const first = await request(path);
      const again = await request(path, { 'accept-encoding': 'gzip' });
      expect(first.status, path).toBe(200);
      expect(first.headers['cache-control'], path).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
      expect(again.status, path).toBe(200);
      expect(again.headers['cache-control'], path).toBe(first.headers['cache-control']);
      expect(again.headers['content-type'], path).toBe(first.headers['content-type']);
      expect(decode(again).equals(first.body), path).toBe(true);
    }
    const font = await request(fonts[0]!, { 'accept-encoding': 'br' });
    expect(font.headers['content-type']).toBe('font/woff2');
    expect(font.headers['content-encoding']).toBeUndefined();
    // Arabic and Chinese pages use system fonts: nothing to preload there.
    expect((await request('/ar')).body.toString()).not.toContain('rel="preload"');
  });
});
