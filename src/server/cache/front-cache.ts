// The front cache: answers cached live pages and the files of dist/client straight from memory in
// the raw node:http layer (scripts/serve.ts), before the node adapter's handler runs. On a hit
// nothing else runs: no fs.stat, no web-stream Response, no
// compression (the brotli and gzip variants were computed once, when the entry was stored).
//
// Live pages: cacheLiveData (live-page.ts) marks the request cacheable with its tags. serve.ts calls
// the adapter's handler with (req, res) only, no `locals`, so the mark travels in an
// AsyncLocalStorage whose store is the request's mark. The ALS lives on globalThis under a
// well-known symbol: scripts/serve.ts and the Astro bundle are separate module graphs, each with its
// own copy of this file (same reason as cache-bus.ts). The response is captured as the handler
// writes it and stored when it is a 200 without Set-Cookie; the tags' invalidations (cache-bus.ts
// onInvalidation, local writes and other processes' NOTIFYs alike) drop it.
//
// Files: the first plain GET of a file of dist/client goes through serve.ts's `send` (which sets
// Content-Type, ETag, Last-Modified, Cache-Control) and is captured; later requests get the same
// headers and bytes from memory, with send's 304 answer to If-None-Match/If-Modified-Since.
// Ranges and If-Match/If-Unmodified-Since are left to send.
//
// Libraries do the generic parts, the very ones the middleware and the adapter use, so the answers
// agree: lru-cache (the bounded live-page store), negotiator (Accept-Encoding), compressible and
// fresh. The rest is ours, being what no library offers: capturing the adapter's answer, tag
// invalidation with its generations, the cache key of Astro's memoryCache, precomputed variants.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import compressible from 'compressible';
import fresh from 'fresh';
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';

/** What a render tells the front layer about its response (set by cacheLiveData). */
export interface RequestMark {
  tags?: string[];
  maxAge?: number;
  /** The query parameters the page reads (undefined: not declared, every one but tracking ones counts). */
  params?: readonly string[];
}

interface Shared {
  requests: AsyncLocalStorage<RequestMark>;
}
const SHARED = Symbol.for('qubi.frontCache');
function shared(): Shared {
  const g = globalThis as unknown as Record<symbol, Shared | undefined>;
  return (g[SHARED] ??= { requests: new AsyncLocalStorage<RequestMark>() });
}

/**
 * Called by cacheLiveData during a render: when a front cache runs this request, records that its
 * response may be stored under these tags for maxAge seconds, and returns true.
 */
export function markFrontCacheable(tags: string[], maxAgeSeconds: number, params?: readonly string[]): boolean {
  const mark = shared().requests.getStore();
  if (!mark) return false;
  if (params) mark.params = params;
  mark.tags = [...new Set([...(mark.tags ?? []), ...tags])];
  mark.maxAge = Math.min(mark.maxAge ?? maxAgeSeconds, maxAgeSeconds);
  return true;
}

// ------------------------------------------------------------------------------------ pure logic

export type Encoding = 'br' | 'gzip' | 'identity';

// negotiator's typings (0.6) lack the `preferred` option its 1.x `encoding` takes.
type EncodingNegotiator = { encoding(available: string[], options: { preferred: string[] }): string | undefined };

/**
 * The encoding to send for an Accept-Encoding header, chosen as the `compression` middleware
 * chooses it (the same `negotiator` call: highest q; on a tie brotli, then gzip; identity without
 * the header). Deflate is never produced: a client that prefers it gets identity, which every
 * client accepts.
 */
export function pickEncoding(accept: string | undefined): Encoding {
  if (!accept) return 'identity';
  const negotiator = new Negotiator({ headers: { 'accept-encoding': accept } }) as unknown as EncodingNegotiator;
  const chosen = negotiator.encoding(['br', 'gzip', 'deflate', 'identity'], { preferred: ['br', 'gzip'] });
  return chosen === 'br' || chosen === 'gzip' ? chosen : 'identity';
}

/** Whether the `compression` middleware would compress this Content-Type: its own test (mime-db's `compressible`). */
export function isCompressible(contentType: string | undefined): boolean {
  return contentType !== undefined && compressible(contentType) === true;
}

// Tracking parameters Astro's memoryCache leaves out of its key (its DEFAULT_EXCLUDED_PARAMS):
// the front cache keys pages the same way, so a link with ?utm_source=… shares the entry.
const EXCLUDED_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'msclkid',
  'twclid',
  'li_fat_id',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  '_hsenc',
  '_hsmi',
  '_ke',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  's_cid',
  'vero_id',
  'wickedid',
  'yclid',
  '__s',
  'ref',
]);
const excludedParam = (name: string) => {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || EXCLUDED_PARAMS.has(lower);
};

/**
 * The key of a live page: host, path and the query parameters the page reads (`read`, sorted), so
 * any other parameter shares the entry. Without `read` (a page that did not declare them), as
 * Astro's memoryCache keys it: tracking parameters dropped, the others sorted. The method is not
 * part of it (HEAD reads GET's entry).
 */
export function cacheKey(host: string | undefined, url: string, read?: readonly string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return `${host ?? ''}\n${url}`;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (read ? !read.includes(name) : excludedParam(name)) params.delete(name);
  params.sort();
  const qs = params.toString();
  return `${host ?? ''}\n${url.slice(0, q)}${qs ? `?${qs}` : ''}`;
}

/** Whether a conditional request may be answered 304: the `fresh` module, as the adapter's `send` uses it. */
export function isFresh(req: IncomingHttpHeaders, etag: string | undefined, lastModified: string | undefined): boolean {
  return fresh(req, { etag, 'last-modified': lastModified });
}

/**
 * URL paths the adapter answers from a file of dist/client: every file, and each `.html` file
 * without its extension too (build.format 'file'). Dot files are left to the adapter (it refuses them).
 */
export function staticPaths(clientDir: string): Map<string, string> {
  const paths = new Map<string, string>();
  let files: string[];
  try {
    files = readdirSync(clientDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.relative(clientDir, path.join(d.parentPath, d.name)));
  } catch {
    return paths;
  }
  for (const rel of files) {
    const segments = rel.split(path.sep);
    if (segments.some((s) => s.startsWith('.'))) continue;
    // Only names a URL carries as they are: anything to percent-decode goes to the adapter.
    if (!segments.every((s) => /^[A-Za-z0-9._~-]+$/.test(s))) continue;
    const urlPath = `/${segments.join('/')}`;
    paths.set(urlPath, rel);
    if (urlPath.endsWith('.html')) paths.set(urlPath.slice(0, -'.html'.length), rel);
  }
  return paths;
}

// Hop-by-hop and per-answer headers: never stored. Content-Length and Vary are written per variant.
const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'date',
  'content-length',
  'vary',
  'x-astro-cache',
]);

/** A header as it was written: its name's case kept for the wire, looked up lower-cased. */
export interface Header {
  name: string;
  value: string | string[];
}
export type CapturedHeaders = Map<string, Header>;

/**
 * Headers set on the response so far (`rawNames`: res.getRawHeaderNames(), for their case) plus
 * those passed to writeHead, keyed by lower-cased name.
 */
export function mergeHeaders(set: OutgoingHttpHeaders, rawNames: string[], passed: unknown): CapturedHeaders {
  const out: CapturedHeaders = new Map();
  const put = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    out.set(name.toLowerCase(), { name, value: Array.isArray(value) ? value.map(String) : String(value) });
  };
  const raw = new Map(rawNames.map((n) => [n.toLowerCase(), n]));
  for (const [name, value] of Object.entries(set)) put(raw.get(name) ?? name, value);
  if (Array.isArray(passed)) {
    if (passed.length && Array.isArray(passed[0]))
      for (const [name, value] of passed as [string, unknown][]) put(name, value);
    else for (let i = 0; i + 1 < passed.length; i += 2) put(String(passed[i]), passed[i + 1]);
  } else if (passed && typeof passed === 'object') {
    for (const [name, value] of Object.entries(passed)) put(name, value);
  }
  return out;
}

const headerValue = (headers: CapturedHeaders, name: string): string | undefined => {
  const value = headers.get(name)?.value;
  return Array.isArray(value) ? value.join(', ') : value;
};

// ------------------------------------------------------------------------------------ the cache

interface Variant {
  body: Buffer;
  /** Flat [name, value, …] list for res.writeHead, security headers included. */
  headers: string[];
}

interface Entry {
  key: string;
  tags: string[];
  expires: number;
  bytes: number;
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
  /** HEAD: identity's headers (as the compression middleware leaves HEAD uncompressed). */
  head: string[];
  /** Files, and live answers that carry both validators: the validators and the 304's headers. */
  etag?: string;
  lastModified?: string;
  notModified?: string[];
}

export interface FrontCacheOptions {
  /** Headers every answer carries (security headers): stored headers of the same name win. */
  baseHeaders: [string, string][];
  /** dist/client: its files are served from memory after their first request. */
  clientDir?: string;
  maxEntries?: number;
  maxBytes?: number;
  /** A larger answer is never stored. */
  maxEntryBytes?: number;
  /** Below this size nothing is compressed (the compression middleware's threshold). */
  compressThreshold?: number;
  now?: () => number;
}

export interface FrontCacheStats {
  entries: number;
  bytes: number;
  files: number;
}

// The number of tags remembered with the generation of their last invalidation; past it they are
// forgotten at once and every render older than that moment counts as overtaken.
const MAX_TRACKED_TAGS = 10000;

export class FrontCache {
  readonly #base: [string, string][];
  readonly #maxEntries: number;
  readonly #maxEntryBytes: number;
  readonly #threshold: number;
  readonly #now: () => number;
  /** Live pages, bounded in number and in bytes (variants included): the least recently used go first. */
  readonly #entries: LRUCache<string, Entry>;
  /** Files of dist/client by URL path: bounded by the build's files, kept for the process's life. */
  readonly #files = new Map<string, Entry>();
  readonly #filePaths: Map<string, string>;
  /** Invalidations seen so far, and the last one of each tag: a render overtaken by one is not stored. */
  #generation = 0;
  #floor = 0;
  readonly #tagGeneration = new Map<string, number>();
  /** The parameters each cached path's page reads, learnt from its render: a request is keyed by them before anything renders. */
  readonly #pathParams = new Map<string, readonly string[]>();

  constructor(options: FrontCacheOptions) {
    this.#base = options.baseHeaders;
    this.#maxEntries = options.maxEntries ?? 2000;
    this.#entries = new LRUCache<string, Entry>({
      max: this.#maxEntries,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      // lru-cache wants a positive size: an empty body still counts one byte.
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
    });
    this.#maxEntryBytes = options.maxEntryBytes ?? 2 * 1024 * 1024;
    this.#threshold = options.compressThreshold ?? 512;
    this.#now = options.now ?? Date.now;
    this.#filePaths = options.clientDir ? staticPaths(options.clientDir) : new Map();
  }

  /** Whether this path (query left out) is a file of dist/client. */
  isFile(url: string): boolean {
    return this.fileOf(url) !== undefined;
  }

  /** The file of dist/client this path (query left out) names, relative to it; undefined if none. */
  fileOf(url: string): string | undefined {
    const q = url.indexOf('?');
    return this.#filePaths.get(q < 0 ? url : url.slice(0, q));
  }

  stats(): FrontCacheStats {
    return { entries: this.#entries.size, bytes: this.#entries.calculatedSize, files: this.#files.size };
  }

  /** Drops every live page cached under one of these tags (cache-bus.ts onInvalidation). */
  invalidate(tags: string[]): void {
    if (!tags.length) return;
    const generation = ++this.#generation;
    for (const tag of tags) this.#tagGeneration.set(tag, generation);
    if (this.#tagGeneration.size > MAX_TRACKED_TAGS) {
      this.#tagGeneration.clear();
      this.#floor = generation;
    }
    const dropped = new Set(tags);
    for (const [key, entry] of [...this.#entries.entries()]) {
      if (entry.tags.some((t) => dropped.has(t))) this.#entries.delete(key);
    }
  }

  /**
   * Answers from memory when it can (GET and HEAD only) and returns true; false leaves the request
   * untouched for the adapter. `close` adds Connection: close (the server is draining).
   */
  serve(req: IncomingMessage, res: ServerResponse, close = false): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const file = this.#files.get(q < 0 ? url : url.slice(0, q));
    if (file) return this.#serveFile(file, req, res, close);
    if (!this.#entries.size) return false;
    const key = cacheKey(req.headers.host, url, this.#pathParams.get(q < 0 ? url : url.slice(0, q)));
    // A hit makes the entry the most recently used.
    const entry = this.#entries.get(key);
    if (!entry) return false;
    // Expiry is checked here, on the clock the options give (tests move it), not by lru-cache's TTL.
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return false;
    }
    // A live answer with validators (conditional-get.ts: the open-data API, feeds, sitemaps)
    // answers a reader's current copy with 304, as the endpoint itself would: as the origin, so a
    // request's Cache-Control (fetch() adds no-cache to every conditional request) does not count.
    const h = req.headers;
    const asked = { 'if-none-match': h['if-none-match'], 'if-modified-since': h['if-modified-since'] };
    if (
      entry.notModified &&
      (asked['if-none-match'] || asked['if-modified-since']) &&
      isFresh(asked, entry.etag, entry.lastModified)
    ) {
      this.#send(res, 304, entry.notModified, undefined, close);
      return true;
    }
    const variant = method === 'HEAD' ? { headers: entry.head, body: undefined } : this.#variant(entry, req);
    this.#send(res, 200, variant.headers, variant.body, close);
    return true;
  }

  /**
   * Runs the adapter for a request `serve` did not answer, capturing what it writes when the answer
   * may be stored. Call it where the adapter's writes are still uncompressed (inside the
   * compression middleware's `next`).
   */
  capture(req: IncomingMessage, res: ServerResponse, run: () => void): void {
    const method = req.method;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const h = req.headers;
    const isFile = this.#filePaths.has(pathname) && !this.#files.has(pathname);
    // Only an unconditional, whole GET gives the adapter's plain 200 of a file.
    const fileCapturable =
      isFile &&
      method === 'GET' &&
      !h.range &&
      !h['if-range'] &&
      !h['if-match'] &&
      !h['if-unmodified-since'] &&
      !h['if-none-match'] &&
      !h['if-modified-since'];
    const mark: RequestMark = {};
    const started = this.#generation;
    if (method !== 'GET' || (isFile && !fileCapturable)) {
      shared().requests.run(mark, run);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let capturing = true;
    let headers: CapturedHeaders | undefined;
    const stop = () => {
      capturing = false;
      chunks.length = 0;
    };
    const keep = (chunk: unknown, encoding: unknown) => {
      if (!capturing || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buffer =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (size > this.#maxEntryBytes) stop();
      else chunks.push(buffer);
    };
    const writeHead = res.writeHead;
    const write = res.write;
    const end = res.end;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const front = this;
    res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
      if (capturing && !headers) {
        const passed = typeof rest[0] === 'string' ? rest[1] : rest[0];
        // A page marked with no tags shows no data (only configuration): kept until its time is up.
        if (status !== 200 || (!fileCapturable && !mark.tags)) stop();
        else
          headers = mergeHeaders(
            this.getHeaders(),
            (this as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames(),
            passed,
          );
      }
      return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
    } as ServerResponse['writeHead'];
    res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
      keep(chunk, encoding);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, encoding, cb);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
      keep(chunk, encoding);
      const result = (end as (...args: unknown[]) => ServerResponse).call(this, chunk, encoding, cb);
      if (capturing && headers) {
        capturing = false;
        try {
          if (fileCapturable) front.#storeFile(pathname, headers, Buffer.concat(chunks));
          else front.#storeLive(pathname, req.headers.host, url, mark, started, headers, Buffer.concat(chunks));
        } catch (error) {
          console.error('[front-cache] could not store an answer:', error instanceof Error ? error.message : error);
        }
      }
      return result;
    } as ServerResponse['end'];
    shared().requests.run(mark, run);
  }

  #storeLive(
    pathname: string,
    host: string | undefined,
    url: string,
    mark: RequestMark,
    started: number,
    headers: CapturedHeaders,
    body: Buffer,
  ): void {
    const tags = mark.tags;
    if (!tags || !this.#storable(headers)) return;
    // A render that began before an invalidation of one of its tags may show the old data.
    if (started < this.#floor || tags.some((t) => (this.#tagGeneration.get(t) ?? 0) > started)) return;
    if (mark.params) this.#rememberParams(pathname, mark.params);
    const key = cacheKey(host, url, mark.params);
    const entry = this.#build(key, headers, body, tags, this.#now() + (mark.maxAge ?? 0) * 1000, 'live');
    if (entry.expires <= this.#now()) return;
    this.#keepValidators(entry, headers);
    // Replaces an entry of the same key; evicts the least recently used until within both bounds.
    this.#entries.set(key, entry);
  }

  #rememberParams(pathname: string, params: readonly string[]): void {
    // Bounded like the entries: past it, paths are learnt again from their next render.
    if (!this.#pathParams.has(pathname) && this.#pathParams.size >= this.#maxEntries) this.#pathParams.clear();
    this.#pathParams.set(pathname, params);
  }

  #storeFile(pathname: string, headers: CapturedHeaders, body: Buffer): void {
    const etag = headerValue(headers, 'etag');
    const lastModified = headerValue(headers, 'last-modified');
    // The adapter's `send` sets both: anything else (a page Astro rendered) is not a file answer.
    if (!etag || !lastModified || !this.#storable(headers)) return;
    const entry = this.#build(pathname, headers, body, [], Infinity, 'file');
    this.#keepValidators(entry, headers);
    this.#files.set(pathname, entry);
  }

  /** The ETag and Last-Modified of an answer that has both, and the headers of its 304. */
  #keepValidators(entry: Entry, headers: CapturedHeaders): void {
    const etag = headerValue(headers, 'etag');
    const lastModified = headerValue(headers, 'last-modified');
    if (!etag || !lastModified) return;
    entry.etag = etag;
    entry.lastModified = lastModified;
    // send's 304 drops the content headers; with no Content-Type the compression middleware adds no Vary.
    const kept = [...headers].filter(
      ([name]) =>
        !NOT_STORED.has(name) &&
        !['content-encoding', 'content-language', 'content-range', 'content-type'].includes(name),
    );
    entry.notModified = this.#headerList(new Map(kept), []);
  }

  #storable(headers: CapturedHeaders): boolean {
    if (headers.has('set-cookie') || headers.has('content-encoding')) return false;
    const vary = headerValue(headers, 'vary');
    // Only Accept-Encoding may vary (the variants below handle it): anything else is not one answer per key.
    if (vary && vary.split(',').some((v) => v.trim() && v.trim().toLowerCase() !== 'accept-encoding')) return false;
    return true;
  }

  #build(
    key: string,
    headers: CapturedHeaders,
    body: Buffer,
    tags: string[],
    expires: number,
    kind: 'live' | 'file',
  ): Entry {
    const stored = new Map([...headers].filter(([name]) => !NOT_STORED.has(name)));
    // The header the route cache set on its hits (tests and operators read it).
    if (kind === 'live') stored.set('x-astro-cache', { name: 'X-Astro-Cache', value: 'HIT' });
    const compressible = isCompressible(headerValue(headers, 'content-type'));
    const cacheControl = headerValue(headers, 'cache-control');
    const transform = !(cacheControl && /(?:^|,)\s*?no-transform\s*?(?:,|$)/i.test(cacheControl));
    // As the compression middleware: Vary whenever the type is compressible, a variant only past the threshold.
    const vary: [string, string][] = compressible && transform ? [['Vary', 'Accept-Encoding']] : [];
    const variant = (encoded: Buffer, encoding?: string): Variant => ({
      body: encoded,
      headers: this.#headerList(stored, [
        ...vary,
        ...(encoding ? [['Content-Encoding', encoding] as [string, string]] : []),
        ['Content-Length', String(encoded.length)],
      ]),
    });
    const entry: Entry = { key, tags, expires, bytes: body.length, identity: variant(body), head: [] };
    entry.head = entry.identity.headers;
    if (compressible && transform && body.length >= this.#threshold) {
      const br = brotliCompressSync(body, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
      });
      const gz = gzipSync(body, { level: 6 });
      entry.br = variant(br, 'br');
      entry.gzip = variant(gz, 'gzip');
      entry.bytes += br.length + gz.length;
    }
    return entry;
  }

  /** The security headers, then the stored ones (replacing a security header of the same name), then `extra`. */
  #headerList(stored: CapturedHeaders, extra: [string, string][]): string[] {
    const list: string[] = [];
    for (const [name, value] of this.#base) if (!stored.has(name.toLowerCase())) list.push(name, value);
    for (const { name, value } of stored.values()) {
      if (Array.isArray(value)) for (const v of value) list.push(name, v);
      else list.push(name, value);
    }
    for (const [name, value] of extra) list.push(name, value);
    return list;
  }

  #variant(entry: Entry, req: IncomingMessage): Variant {
    if (!entry.br) return entry.identity;
    const encoding = pickEncoding(req.headers['accept-encoding']);
    return encoding === 'identity' ? entry.identity : encoding === 'br' ? entry.br : entry.gzip!;
  }

  #serveFile(entry: Entry, req: IncomingMessage, res: ServerResponse, close: boolean): boolean {
    const h = req.headers;
    // Ranges and preconditions: the adapter's `send` answers them (206, 412), rare enough.
    if (h.range || h['if-range'] || h['if-match'] || h['if-unmodified-since']) return false;
    if ((h['if-none-match'] || h['if-modified-since']) && isFresh(h, entry.etag, entry.lastModified)) {
      this.#send(res, 304, entry.notModified!, undefined, close);
      return true;
    }
    const variant = req.method === 'HEAD' ? { headers: entry.head, body: undefined } : this.#variant(entry, req);
    this.#send(res, 200, variant.headers, variant.body, close);
    return true;
  }

  #send(res: ServerResponse, status: number, headers: string[], body: Buffer | undefined, close: boolean): void {
    res.writeHead(status, close ? [...headers, 'Connection', 'close'] : headers);
    res.end(body);
  }
}
