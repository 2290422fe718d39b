import http from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FrontCache,
  cacheKey,
  isFresh,
  markFrontCacheable,
  pickEncoding,
  staticPaths,
  type FrontCacheOptions,
} from './front-cache.ts';

describe('pickEncoding', () => {
  it('chooses as the compression middleware does: brotli first on a tie, then gzip, identity without the header', () => {
    expect(pickEncoding(undefined)).toBe('identity');
    expect(pickEncoding('')).toBe('identity');
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip, deflate')).toBe('gzip');
    expect(pickEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0')).toBe('identity');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('gzip;q=0, *;q=0.1')).toBe('br');
    expect(pickEncoding('deflate')).toBe('identity');
    expect(pickEncoding('identity')).toBe('identity');
    expect(pickEncoding('BR')).toBe('br');
  });
});

describe('cacheKey', () => {
  it("keys host, path and query as Astro's memoryCache does: tracking parameters dropped, the rest sorted", () => {
    expect(cacheKey('a', '/it/eventi')).toBe('a\n/it/eventi');
    expect(cacheKey('a', '/it/eventi?utm_source=x&UTM_medium=y&fbclid=1&ref=z')).toBe('a\n/it/eventi');
    expect(cacheKey('a', '/x?b=2&a=1')).toBe(cacheKey('a', '/x?a=1&b=2'));
    expect(cacheKey('a', '/x?a=1')).not.toBe(cacheKey('a', '/x?a=2'));
    expect(cacheKey('a', '/x')).not.toBe(cacheKey('b', '/x'));
    expect(cacheKey('a', '/x?')).toBe('a\n/x');
  });

  it('keys by the parameters the page reads when it declared them: any other parameter shares the entry', () => {
    expect(cacheKey('a', '/it/sportelli?utm_source=x&fbclid=y&municipio=8&zz=1', ['municipio'])).toBe(
      'a\n/it/sportelli?municipio=8',
    );
    expect(cacheKey('a', '/it/eventi?anything=1', [])).toBe('a\n/it/eventi');
    expect(cacheKey('a', '/x?a=1', ['a'])).not.toBe(cacheKey('a', '/x?a=2', ['a']));
  });
});

describe('isFresh', () => {
  const etag = 'W/"10-abc"';
  const lastModified = 'Tue, 24 Nov 2026 10:00:00 GMT';
  it('follows the fresh module: If-None-Match first, then If-Modified-Since; no-cache is never fresh', () => {
    expect(isFresh({}, etag, lastModified)).toBe(false);
    expect(isFresh({ 'if-none-match': etag }, etag, lastModified)).toBe(true);
    expect(isFresh({ 'if-none-match': '"10-abc"' }, etag, lastModified)).toBe(true);
    expect(isFresh({ 'if-none-match': '"x", W/"10-abc"' }, etag, lastModified)).toBe(true);
    expect(isFresh({ 'if-none-match': '"other"', 'if-modified-since': lastModified }, etag, lastModified)).toBe(false);
    expect(isFresh({ 'if-none-match': '*' }, etag, lastModified)).toBe(true);
    expect(isFresh({ 'if-modified-since': lastModified }, etag, lastModified)).toBe(true);
    expect(isFresh({ 'if-modified-since': 'Tue, 24 Nov 2026 09:00:00 GMT' }, etag, lastModified)).toBe(false);
    expect(isFresh({ 'if-none-match': etag, 'cache-control': 'no-cache' }, etag, lastModified)).toBe(false);
  });
});

// ------------------------------------------------------------- a front cache over a fake adapter

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
function request(port: number, urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What the fake adapter answers: the page marks itself cacheable with `tags` unless told otherwise. */
interface Page {
  status?: number;
  tags?: string[];
  /** The query parameters the page declares it reads. */
  params?: string[];
  headers?: Record<string, string>;
  body: () => string;
  /** Awaited between the mark and the write (a slow render). */
  during?: () => Promise<void>;
}

const BASE: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Content-Security-Policy', "frame-ancestors 'none'"],
];

async function startFront(pages: Record<string, Page>, options: Partial<FrontCacheOptions> = {}) {
  const front = new FrontCache({ baseHeaders: BASE, ...options });
  let renders = 0;
  const server = http.createServer((req, res) => {
    if (front.serve(req, res)) return;
    for (const [name, value] of BASE) res.setHeader(name, value);
    front.capture(req, res, () => {
      void (async () => {
        const page = pages[(req.url ?? '/').split('?')[0]!];
        if (!page) {
          res.writeHead(404).end('not found');
          return;
        }
        renders++;
        if (page.tags) markFrontCacheable(page.tags, 300, page.params);
        await page.during?.();
        res.writeHead(page.status ?? 200, {
          'content-type': 'text/html',
          'content-security-policy': "default-src 'self'; frame-ancestors 'none';",
          ...page.headers,
        });
        const body = page.body();
        // Written in two chunks, as a streamed render is.
        res.write(body.slice(0, 10));
        res.end(body.slice(10));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    front,
    port,
    renders: () => renders,
    get: (p: string, headers?: Record<string, string>, method?: string) => request(port, p, headers, method),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const big = (label: string) =>
  `<!doctype html><p>${label}</p>` + '<p>Sportello QuBì, aperto il martedì.</p>'.repeat(60);

describe('FrontCache over HTTP', () => {
  let env: Awaited<ReturnType<typeof startFront>> | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('stores a marked 200 and answers it again with the same bytes and headers, without rendering', async () => {
    let n = 0;
    env = await startFront({ '/p': { tags: ['desks'], body: () => big(`render ${++n}`) } });
    const first = await env.get('/p');
    const second = await env.get('/p');
    expect(env.renders()).toBe(1);
    expect(second.body.toString()).toBe(first.body.toString());
    expect(second.headers['x-astro-cache']).toBe('HIT');
    expect(second.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none';");
    expect(second.headers['x-content-type-options']).toBe('nosniff');
    expect(second.headers['content-length']).toBe(String(second.body.length));
    expect(env.front.stats().entries).toBe(1);
  });

  it('serves brotli, gzip and identity that decode to the same bytes, with Vary and no double encoding', async () => {
    env = await startFront({ '/p': { tags: ['desks'], body: () => big('x') } });
    const plain = (await env.get('/p')).body;
    const br = await env.get('/p', { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await env.get('/p', { 'accept-encoding': 'gzip' });
    const id = await env.get('/p', { 'accept-encoding': 'identity' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(id.headers['content-encoding']).toBeUndefined();
    for (const r of [br, gz, id]) expect(r.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);
    expect(id.body.equals(plain)).toBe(true);
  });

  it('answers HEAD from the entry, with no body', async () => {
    env = await startFront({ '/p': { tags: ['desks'], body: () => big('x') } });
    const full = await env.get('/p');
    const head = await env.get('/p', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(full.body.length));
    expect(head.headers['x-astro-cache']).toBe('HIT');
    expect(env.renders()).toBe(1);
  });

  it('keys the query string as the route cache does', async () => {
    env = await startFront({ '/p': { tags: ['desks'], body: () => big('x') } });
    await env.get('/p?b=2&a=1&utm_source=news');
    await env.get('/p?a=1&b=2');
    expect(env.renders()).toBe(1);
    await env.get('/p?a=1&b=3');
    expect(env.renders()).toBe(2);
  });

  it('keys a page that declared the parameters it reads by those only: an unknown parameter is a hit', async () => {
    env = await startFront({ '/p': { tags: ['desks'], params: ['a'], body: () => big('x') } });
    await env.get('/p?a=1&utm_source=news');
    const hit = await env.get('/p?fbclid=y&a=1&whatever=2');
    expect(hit.headers['x-astro-cache']).toBe('HIT');
    expect(env.renders()).toBe(1);
    await env.get('/p?a=2&whatever=2');
    expect(env.renders()).toBe(2);
  });

  it('drops the entries of an invalidated tag, and only those', async () => {
    let n = 0;
    env = await startFront({
      '/a': { tags: ['slots:a'], body: () => big(`a${++n}`) },
      '/b': { tags: ['slots:b'], body: () => big('b') },
    });
    await env.get('/a');
    await env.get('/b');
    env.front.invalidate(['slots:a']);
    expect((await env.get('/a')).body.toString()).toContain('<p>a2</p>');
    await env.get('/b');
    expect(env.renders()).toBe(3);
  });

  it('does not store a render overtaken by an invalidation of its tags', async () => {
    let n = 0;
    let release: () => void = () => {};
    env = await startFront({
      '/p': {
        tags: ['slots:a'],
        body: () => big(`r${++n}`),
        during: () => (n === 0 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
      },
    });
    const slow = env.get('/p');
    await new Promise((resolve) => setTimeout(resolve, 50));
    env.front.invalidate(['slots:a']);
    release();
    await slow;
    expect(env.front.stats().entries).toBe(0);
    await env.get('/p');
    await env.get('/p');
    expect(env.renders()).toBe(2);
    // An invalidation of another tag does not stop the store.
    env.front.invalidate(['slots:a']);
    env.front.invalidate(['slots:other']);
    await env.get('/p');
    expect(env.front.stats().entries).toBe(1);
  });

  it('stores a page marked with no tags (it shows no data, only configuration) until its time is up', async () => {
    let n = 0;
    let now = 1_000_000;
    env = await startFront({ '/chi-siamo': { tags: [], body: () => big(`render ${++n}`) } }, { now: () => now });
    const first = await env.get('/chi-siamo');
    const second = await env.get('/chi-siamo', { 'accept-encoding': 'br' });
    expect(env.renders()).toBe(1);
    expect(second.headers['x-astro-cache']).toBe('HIT');
    expect(brotliDecompressSync(second.body).toString()).toBe(first.body.toString());
    now += 301_000;
    await env.get('/chi-siamo');
    expect(env.renders()).toBe(2);
  });

  it('never stores an answer with Set-Cookie, another status, an unmarked page or a Vary other than Accept-Encoding', async () => {
    env = await startFront({
      '/cookie': { tags: ['x'], headers: { 'set-cookie': 'a=1' }, body: () => big('c') },
      '/gone': { tags: ['x'], status: 410, body: () => big('g') },
      '/plain': { body: () => big('p') },
      '/vary': { tags: ['x'], headers: { vary: 'Accept-Language' }, body: () => big('v') },
    });
    for (const p of ['/cookie', '/gone', '/plain', '/vary']) {
      await env.get(p);
      const again = await env.get(p);
      expect(again.headers['x-astro-cache'], p).toBeUndefined();
    }
    expect(env.renders()).toBe(8);
    expect(env.front.stats().entries).toBe(0);
  });

  it('does not store POST answers, and HEAD does not fill the cache', async () => {
    env = await startFront({ '/p': { tags: ['x'], body: () => big('p') } });
    await env.get('/p', {}, 'POST');
    await env.get('/p', {}, 'HEAD');
    expect(env.front.stats().entries).toBe(0);
  });

  it('expires an entry after maxAge', async () => {
    let now = 1_000_000;
    env = await startFront({ '/p': { tags: ['x'], body: () => big('p') } }, { now: () => now });
    await env.get('/p');
    await env.get('/p');
    expect(env.renders()).toBe(1);
    now += 299_000;
    await env.get('/p');
    expect(env.renders()).toBe(1);
    now += 2_000;
    await env.get('/p');
    expect(env.renders()).toBe(2);
  });

  it('is bounded in entries (least recently used out first) and in bytes', async () => {
    env = await startFront({ '/p': { tags: ['x'], body: () => big('p') } }, { maxEntries: 3 });
    for (const q of ['a', 'b', 'c']) await env.get(`/p?q=${q}`);
    await env.get('/p?q=a'); // a is now the most recent
    await env.get('/p?q=d'); // b goes
    expect(env.front.stats().entries).toBe(3);
    const before = env.renders();
    await env.get('/p?q=a');
    await env.get('/p?q=c');
    expect(env.renders()).toBe(before);
    await env.get('/p?q=b');
    expect(env.renders()).toBe(before + 1);
    await env.close();

    env = await startFront({ '/p': { tags: ['x'], body: () => big('p') } }, { maxBytes: 5000 });
    for (let i = 0; i < 20; i++) await env.get(`/p?q=${i}`);
    expect(env.front.stats().bytes).toBeLessThanOrEqual(5000);
    expect(env.front.stats().entries).toBeGreaterThan(0);
  });

  it('never stores an answer larger than maxEntryBytes', async () => {
    env = await startFront({ '/p': { tags: ['x'], body: () => big('p') } }, { maxEntryBytes: 100 });
    await env.get('/p');
    expect(env.front.stats().entries).toBe(0);
  });

  it('adds Connection: close while draining', async () => {
    const front = new FrontCache({ baseHeaders: BASE });
    let draining = false;
    const server = http.createServer((req, res) => {
      if (front.serve(req, res, draining)) return;
      front.capture(req, res, () => {
        markFrontCacheable(['x'], 300);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await request(port, '/');
    draining = true;
    const r = await request(port, '/');
    expect(r.headers['x-astro-cache']).toBe('HIT');
    expect(r.headers.connection).toBe('close');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('FrontCache and the files of dist/client', () => {
  let dir: string;
  let server: http.Server;
  let port: number;
  let front: FrontCache;
  let adapterAnswers = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'front-cache-'));
    await mkdir(path.join(dir, 'it'));
    await mkdir(path.join(dir, '_astro'));
    await mkdir(path.join(dir, '.hidden'));
    await writeFile(path.join(dir, 'it', 'faq.html'), big('faq'));
    await writeFile(path.join(dir, '_astro', 'a.js'), 'console.log(1)');
    await writeFile(path.join(dir, '.hidden', 'x.txt'), 'secret');
    front = new FrontCache({ baseHeaders: BASE, clientDir: dir });
    // A stand-in for the adapter's `send`: the headers it sets, the file's bytes.
    server = http.createServer((req, res) => {
      if (front.serve(req, res)) return;
      for (const [name, value] of BASE) res.setHeader(name, value);
      front.capture(req, res, () => {
        adapterAnswers++;
        const p = (req.url ?? '/').split('?')[0]!;
        const file = p === '/it/faq' ? big('faq') : p === '/_astro/a.js' ? 'console.log(1)' : undefined;
        if (!file) {
          res.writeHead(404).end();
          return;
        }
        if (req.headers['if-none-match'] === 'W/"1-a"') {
          res.writeHead(304, { ETag: 'W/"1-a"' }).end();
          return;
        }
        res.setHeader('Accept-Ranges', 'bytes');
        res.setHeader(
          'Cache-Control',
          p.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=0',
        );
        res.setHeader('Last-Modified', 'Tue, 24 Nov 2026 10:00:00 GMT');
        res.setHeader('ETag', 'W/"1-a"');
        res.setHeader(
          'Content-Type',
          p.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
        );
        res.setHeader('Content-Length', Buffer.byteLength(file));
        res.end(file);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('knows the URL paths of the files: each file, and .html pages without their extension; no dot files', () => {
    expect([...staticPaths(dir).keys()].sort()).toEqual(['/_astro/a.js', '/it/faq', '/it/faq.html']);
  });

  it("keeps the adapter's headers and bytes after the first request, and answers 304 as it does", async () => {
    const first = await request(port, '/it/faq');
    const answers = adapterAnswers;
    const second = await request(port, '/it/faq?x=1');
    expect(adapterAnswers).toBe(answers);
    expect(second.body.equals(first.body)).toBe(true);
    for (const name of [
      'etag',
      'last-modified',
      'cache-control',
      'content-type',
      'accept-ranges',
      'content-security-policy',
      'x-content-type-options',
    ]) {
      expect(second.headers[name], name).toBe(first.headers[name]);
    }
    const notModified = await request(port, '/it/faq', { 'if-none-match': 'W/"1-a"' });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe('W/"1-a"');
    expect(notModified.headers['content-type']).toBeUndefined();
    expect(notModified.headers.vary).toBeUndefined();
    expect(adapterAnswers).toBe(answers);
    // Ranges go to the adapter.
    await request(port, '/it/faq', { range: 'bytes=0-1' });
    expect(adapterAnswers).toBe(answers + 1);
  });

  it('keeps the immutable Cache-Control of /_astro/ and leaves a small file uncompressed', async () => {
    await request(port, '/_astro/a.js');
    const again = await request(port, '/_astro/a.js', { 'accept-encoding': 'br' });
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(again.headers['content-encoding']).toBeUndefined();
    expect(again.body.toString()).toBe('console.log(1)');
  });

  it('leaves paths that are not files to the adapter', async () => {
    const answers = adapterAnswers;
    expect((await request(port, '/it/faq/')).status).toBe(404);
    expect((await request(port, '/it/faq/')).status).toBe(404);
    expect(adapterAnswers).toBe(answers + 2);
  });
});
