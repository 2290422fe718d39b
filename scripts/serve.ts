// The server `npm start` runs: validates the configuration, migrates (and on an empty database seeds)
// it, then serves the built site with a graceful drain on SIGTERM/SIGINT. Not run from here: the
// build bundles it with its dependencies into dist/start/ (scripts/bundle-start.ts), which
// scripts/start.ts loads.
import http from 'node:http';
import compression from 'compression';
import send from 'send';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { configOrExit } from './config-or-exit.ts';
import { migrateAndSeed, seedFor } from './prepare-database.ts';
import { isSeeded } from '#/server/db/seed.ts';
import { openDatabase, targetFromConfig } from '#/server/db/connection.ts';
import { shareDatabase } from '#/server/db/index.ts';
import { applySecurityHeaders, securityHeaders } from '#/server/http/security-headers.ts';
import { onInvalidation, startCacheListener } from '#/server/cache/cache-bus.ts';
import { FrontCache } from '#/server/cache/front-cache.ts';
import { earlyAnswer } from '#/server/http/http-errors.ts';
import { resolveClientAddress, withClientAddress } from '#/server/http/client-address.ts';
import { onShutdown, runShutdownHooks } from '#/server/shutdown.ts';

const config = configOrExit();

const entry = path.resolve('dist/server/entry.mjs');
if (!existsSync(entry)) {
  console.error('The site is not built yet: run `npm run build` (npm start does it for you).');
  process.exit(1);
}

// One handle for the whole process: migrations, seed, the bundle's pages (shareDatabase) and the
// outbox worker all use it, so the embedded database is never opened twice.
const target = targetFromConfig(config);
const db = await openDatabase(target);
// Demo accounts of the staff area: only on the embedded database, only when this start seeds it,
// never with NODE_ENV=production. Their credentials are printed once, with the URL.
const demoWanted = !config.databaseUrl && !config.production && !(await isSeeded(db).catch(() => false));
await migrateAndSeed(db, { seedIfEmpty: seedFor(config), log: console.log });
let printDemoAccounts: ((origin: string) => void) | undefined;
if (demoWanted) {
  const { createDemoAccounts, formatDemoAccounts } = await import('#/features/staff-accounts/demo.ts');
  const accounts = await createDemoAccounts(db);
  printDemoAccounts = (origin) => console.log(formatDemoAccounts(accounts, origin));
}
shareDatabase(db);
onShutdown(() => db.destroy());
if (target.kind === 'pglite') {
  // No autovacuum in the embedded database: its tables are analyzed here as they grow.
  const { keepStatisticsFresh } = await import('#/server/db/embedded-statistics.ts');
  const statistics = keepStatisticsFresh(db);
  onShutdown(() => statistics.stop());
}
// Route-cache invalidations from the other server processes on the same PostgreSQL (LISTEN).
// Awaited: the port opens once this process can hear invalidations (see startCacheListener).
if (config.databaseUrl) await startCacheListener(config.databaseUrl);

if (config.workerEnabled) {
  const { startConfiguredWorker } = await import('#/messages/configured-worker.ts');
  // Read at each run: without PUBLIC_URL the origin is known only once the port is bound (below).
  const worker = startConfiguredWorker(db, config, () => process.env.PUBLIC_URL ?? config.publicUrl);
  // Emails go out a moment after they are queued (a family waits for its confirmation), not at the next round.
  const { onMessageQueued } = await import('#/server/mail/outbox.ts');
  onMessageQueued((committed) => worker.wake(committed));
  // Registered after the database's hook, so it runs first (hooks run last-registered-first): the
  // message being sent is finished and recorded before the database closes.
  onShutdown(() => worker.stop());
}

// The adapter in middleware mode (astro.config.mjs): Astro's pages and endpoints only. It renders
// Astro's 404 page itself when no route matches, as it is given no `next`.
const { handler } = (await import(pathToFileURL(entry).href)) as {
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
};
const clientDir = path.resolve('dist/client');
const https = config.publicUrl.startsWith('https://');
// An answer that fits in one TCP segment (~1460 bytes) reaches the client in the same round trip
// compressed or not: compressing it costs CPU on every write (the API's JSON answers) and saves no time.
const COMPRESS_THRESHOLD = 1400;
const compress = compression({ threshold: COMPRESS_THRESHOLD });
// Cached live pages and the files of dist/client, answered from memory before the adapter runs
// (src/server/cache/front-cache.ts); its answers carry the security headers and are compressed once.
const front = new FrontCache({
  baseHeaders: securityHeaders({ https }),
  clientDir,
  compressThreshold: COMPRESS_THRESHOLD,
});
onInvalidation((tags) => front.invalidate(tags));
// Every form and JSON body of the site is a few KB.
const MAX_BODY_BYTES = 1024 * 1024;
const publicUrl = new URL(config.publicUrl);
let stopping = false;
const server = http.createServer((req, res) => {
  const client = resolveClientAddress(
    req.socket.remoteAddress,
    firstHeader(req.headers['x-forwarded-for']),
    config.trustedProxies,
  );
  presentForwardedHeaders(req, client.viaProxy);
  withClientAddress(client.address, () => handle(req, res));
});

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  // A declared body over the cap is refused unread.
  const tooLarge = Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
  if (!tooLarge && serveFromFront(req, res)) return;
  applySecurityHeaders(res, { https });
  // A file asked with PUT or DELETE (405), a ".../index.html" address (301): answered before Astro.
  if (earlyAnswer(req, res, front)) return;
  // While draining, tell keep-alive clients not to reuse the connection (`stopping`).
  if (stopping) res.setHeader('Connection', 'close');
  if (tooLarge) return refuseTooLarge(req, res);
  if (!hasBody(req)) return runAdapter(req, res);
  // A chunked body declares no length: the adapter would buffer whatever arrives (4 uploads of
  // 250 MB took the process to 2.9 GB). It is read here, up to the cap, and handed over whole.
  readBodyUpTo(req, MAX_BODY_BYTES).then(
    (body) => {
      if (body === undefined) return refuseUnreadBody(req, res);
      (req as http.IncomingMessage & { body?: Buffer }).body = body;
      runAdapter(req, res);
    },
    () => res.destroy(),
  );
}

function runAdapter(req: http.IncomingMessage, res: http.ServerResponse): void {
  // Compressed answers (brotli or gzip, by Accept-Encoding): a page is a third of its size on the wire.
  // The front cache captures inside the middleware, where the adapter's writes are still plain.
  compress(req as Parameters<typeof compress>[0], res as Parameters<typeof compress>[1], () =>
    front.capture(req, res, () => route(req, res)),
  );
}

/**
 * A file of dist/client (the front cache knows their paths from the start) with `send`, as the
 * adapter's standalone handler served it: Content-Type, ETag, Last-Modified, ranges and 304s; the
 * build's hashed assets are immutable. Anything else goes straight to Astro, with no lookup on disk:
 * a POST, a live page, an address that names no file.
 */
function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const file = req.method === 'GET' || req.method === 'HEAD' ? front.fileOf(req.url ?? '/') : undefined;
  if (file === undefined) return void handler(req, res);
  const stream = send(req, `/${file.split(path.sep).join('/')}`, { root: clientDir });
  // Gone since the start (a deploy replacing dist/ under a running process): Astro answers; a read
  // failing once the answer has begun can only end it.
  stream.on('error', () => (res.headersSent ? res.destroy() : void handler(req, res)));
  stream.on('stream', () => {
    if (file.startsWith(`_astro${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  });
  stream.pipe(res);
}

const hasBody = (req: http.IncomingMessage) =>
  req.method !== 'GET' &&
  req.method !== 'HEAD' &&
  (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
const firstHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

/** The body, or undefined once it passes `limit` bytes (what follows is then discarded as it arrives). */
function readBodyUpTo(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      chunks.length = 0;
      // Read no further (see refuseUnreadBody).
      req.pause();
      resolve(undefined);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * 413 for a chunked body found past the cap while reading it: the rest is not read (draining it all
 * made ~200 MB of garbage chunks for 4 × 64 MB) and the answer goes out at once with Connection:
 * close. Closing a socket that still holds unread bytes sends a reset, which can destroy the answer
 * in the client's buffers before it reads it (seen as EPIPE in CI); and discarding a few more
 * megabytes before closing (as tried next) only moves the reset: a client that keeps writing meets
 * it on its next write, which under load can come before it reads the answer (failed in CI again).
 * So the server half-closes (FIN after the answer) and reads nothing more: the client's writes stall
 * on a full window while its read side gets the answer, and after LINGER_MS the socket is closed.
 * Nothing is read or allocated in that time. Browsers never send form bodies chunked; a body
 * declared too large by its Content-Length is drained and answered (refuseTooLarge).
 */
const LINGER_MS = 5000;
function refuseUnreadBody(req: http.IncomingMessage, res: http.ServerResponse): void {
  const socket = req.socket;
  // After a Connection: close answer Node calls destroySoon(), which resets the connection when
  // unread bytes remain: half-close instead, and close below.
  socket.destroySoon = () => void socket.end();
  res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('Request too large.');
  res.on('finish', () => {
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

/**
 * 413, answered once the client has sent its whole body (discarded as it arrives, never buffered),
 * so the client reads the answer instead of a broken pipe.
 */
function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
  const answer = () =>
    void res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Request too large.');
  if (req.readableEnded) return answer();
  req.resume();
  req.on('end', answer);
}

/**
 * What the adapter may believe of the forwarded headers: nothing a client wrote. Through a trusted
 * proxy the request is addressed to PUBLIC_URL (nginx's `Host $host` has no port, and a name that
 * is not PUBLIC_URL's would fail the origin check anyway) and, when the proxy says so, came over
 * HTTPS; Astro reads X-Forwarded-Proto because security.allowedDomains lists https. The client's
 * address is already resolved (client-address.ts); the adapter gets no X-Forwarded-For to misread.
 */
function presentForwardedHeaders(req: http.IncomingMessage, viaProxy: boolean): void {
  const proto = firstHeader(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim();
  for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded'])
    delete req.headers[name];
  if (!viaProxy) return;
  req.headers.host = publicUrl.host;
  if (proto === 'https' && publicUrl.protocol === 'https:') req.headers['x-forwarded-proto'] = 'https';
}
server.keepAliveTimeout = 5000;

/** The front cache's answer, if it has one; a failure there must not take the process down. */
function serveFromFront(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  try {
    return front.serve(req, res, stopping);
  } catch (error) {
    console.error('[front-cache] could not answer from memory:', error instanceof Error ? error.message : error);
    // Headers already gone: the answer cannot be finished. Otherwise the adapter answers instead.
    if (res.headersSent) {
      res.destroy();
      return true;
    }
    return false;
  }
}
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // Without PUBLIC_URL, absolute links use the port actually bound (PORT=0 picks a free one).
  if (!process.env.PUBLIC_URL) process.env.PUBLIC_URL = `http://${shown}:${port}`;
  printDemoAccounts?.(process.env.PUBLIC_URL ?? config.publicUrl);
  console.log(
    `QuBì is running at http://${shown}:${port}  (database: ${config.databaseUrl ? 'PostgreSQL' : `embedded, ${config.dataDir}`})`,
  );
});

async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received: finishing open requests…`);
  const force = setTimeout(() => {
    console.error('Requests still open after 10 s; closing anyway.');
    server.closeAllConnections();
  }, 10000);
  force.unref();
  server.close(async () => {
    await runShutdownHooks();
    console.log('Stopped cleanly.');
    process.exit(0);
  });
  // Connections become idle as their responses finish; close them as they do.
  setInterval(() => server.closeIdleConnections(), 100).unref();
  server.closeIdleConnections();
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
