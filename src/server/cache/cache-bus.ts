// Route-cache invalidation across server processes. Each process keeps its own in-memory route
// cache (Astro's memoryCache); on PostgreSQL, several processes may serve the same database. A
// write invalidates its tags locally and then, once committed, publishes them with
// `NOTIFY qubi_cache`; every process holds one dedicated connection that LISTENs on that channel
// and invalidates the tags it receives in its own cache (its own notifications, marked with its
// `sender`, are skipped: it invalidated them before publishing). On the embedded database (one
// process only) nothing is sent.
//
// The payload carries the publisher's current_schema(), so processes serving other schemas of the
// same database (tests, staging next to production) ignore each other's notifications.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { sql } from 'kysely';
import { getConfig } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { onShutdown } from '#/server/shutdown.ts';

export const CACHE_CHANNEL = 'qubi_cache';

type Invalidate = (tags: string[]) => Promise<unknown> | unknown;

// The start script (which starts the listener at boot) and the bundle (which knows the route
// cache) are separate module graphs: the state lives on globalThis under a well-known symbol.
interface BusState {
  invalidateLocal?: Invalidate;
  /** Every tag this process has cached under: after a (re)connection, they are all invalidated once. */
  knownTags: Set<string>;
  listener?: { ready: Promise<void>; stop(): Promise<void> };
  /** Other in-memory copies of live data (front cache, desk cache) that follow the same tags. */
  subscribers: Set<(tags: string[]) => void>;
  /** The NOTIFY being sent, and the tags waiting for the next one (see publishInvalidation). */
  publishing?: Promise<void>;
  queued?: { tags: Set<string>; sent: Promise<void>; release: () => void };
  /** The wait before the queued tags leave (PUBLISH_WINDOW_MS), and when the last NOTIFY started. */
  window?: NodeJS.Timeout;
  lastPublishedAt?: number;
  /** Marks this process's own notifications, which its listener skips (it invalidated before publishing). */
  readonly sender: string;
}
const KEY = Symbol.for('qubi.cacheBus');
function state(): BusState {
  const g = globalThis as unknown as Record<symbol, BusState | undefined>;
  return (g[KEY] ??= { knownTags: new Set(), subscribers: new Set(), sender: randomUUID() });
}

function databaseUrl(): string | undefined {
  try {
    return getConfig().databaseUrl;
  } catch {
    return undefined;
  }
}

/**
 * Called by live-page.ts on every cached render and every invalidation: remembers how to reach
 * this process's route cache (the provider is one per process; a request's `cache` delegates to
 * it) and, on PostgreSQL, starts the listener on first use.
 */
export function attachRouteCache(invalidate: Invalidate, tags: string[] = []): void {
  const s = state();
  s.invalidateLocal ??= invalidate;
  for (const tag of tags) s.knownTags.add(tag);
  if (!s.listener) {
    const url = databaseUrl();
    if (url) void startCacheListener(url);
  }
}

/**
 * Starts this process's listener once. Resolves when its first connection is listening or has
 * failed (it then retries in the background): the start script waits for it before serving, so no
 * page is cached before the process can hear invalidations, and the first connection has nothing
 * stale to drop (a page cached earlier would be dropped then, and a visitor would see a cold miss).
 */
export function startCacheListener(url: string): Promise<void> {
  const s = state();
  if (s.listener) return s.listener.ready;
  const listener = new CacheListener(url);
  s.listener = listener;
  listener.start();
  onShutdown(() => listener.stop());
  return listener.ready;
}

/**
 * At most one NOTIFY per this many ms per process: the tags of the writes that finish meanwhile
 * wait and leave together. Each NOTIFY is a statement, a commit of its own (a notification takes a
 * transaction id, so PostgreSQL flushes its WAL) and a delivery to every listener; under a stream of
 * bookings (one every few ms) nearly every write sent one, as the one before had already gone. A
 * write after a quiet moment still publishes at once. Far below what the other processes may lag:
 * a write must show there within 2 s (tests/http/two-processes.pg.test.ts).
 */
export const PUBLISH_WINDOW_MS = 20;

/**
 * Publishes committed invalidations to the other processes. Never throws: the write is done.
 * One NOTIFY at a time per process, at most one per PUBLISH_WINDOW_MS: the tags of writes that
 * finish while one is sent or awaited leave together in the next (group commit). Resolves once the
 * NOTIFY carrying these tags is sent.
 */
export function publishInvalidation(tags: string[]): Promise<void> {
  if (!tags.length || !databaseUrl()) return Promise.resolve();
  const s = state();
  if (!s.queued) {
    let release!: () => void;
    const sent = new Promise<void>((resolve) => (release = resolve));
    s.queued = { tags: new Set(), sent, release };
  }
  for (const tag of tags) s.queued.tags.add(tag);
  const { sent } = s.queued;
  if (!s.publishing && !s.window) publishWhenDue(s);
  return sent;
}

/** Sends the queued tags now, or once PUBLISH_WINDOW_MS have passed since the last NOTIFY started. */
function publishWhenDue(s: BusState): void {
  const wait = (s.lastPublishedAt ?? -Infinity) + PUBLISH_WINDOW_MS - performance.now();
  if (wait <= 0) publishQueued(s);
  else s.window = setTimeout(() => publishQueued(s), wait);
}

function publishQueued(s: BusState): void {
  s.window = undefined;
  const queued = s.queued;
  s.queued = undefined;
  if (!queued) return;
  s.lastPublishedAt = performance.now();
  s.publishing = sendNotify([...queued.tags], s.sender).finally(() => {
    s.publishing = undefined;
    queued.release();
    if (s.queued && !s.window) publishWhenDue(s);
  });
}

/** A NOTIFY payload must stay under 8000 bytes: tags are sent in groups well below that. */
const MAX_PAYLOAD_CHARS = 4000;

async function sendNotify(tags: string[], sender: string): Promise<void> {
  try {
    const db = await getDb();
    const groups: string[][] = [[]];
    let size = 0;
    for (const tag of tags) {
      if (size + tag.length > MAX_PAYLOAD_CHARS && groups.at(-1)!.length) {
        groups.push([]);
        size = 0;
      }
      groups.at(-1)!.push(tag);
      size += tag.length + 3;
    }
    for (const group of groups) {
      const payload = JSON.stringify(group);
      await sql`select pg_notify(${CACHE_CHANNEL}, json_build_object('schema', current_schema(), 'sender', ${sender}::text, 'tags', ${payload}::json)::text)`.execute(
        db,
      );
    }
  } catch (error) {
    // The other processes' caches expire within maxAge (5 minutes) anyway.
    console.error('[cache-bus] could not publish an invalidation:', error instanceof Error ? error.message : error);
  }
}

/**
 * Registers an in-memory copy of live data to drop by tag: called for every invalidation in this
 * process, whether a write here made it or another process announced it. Returns the unsubscribe.
 */
export function onInvalidation(subscriber: (tags: string[]) => void): () => void {
  const { subscribers } = state();
  subscribers.add(subscriber);
  return () => subscribers.delete(subscriber);
}

/** Tells this process's subscribers (see onInvalidation) that these tags changed. */
export function invalidateSubscribers(tags: string[]): void {
  if (!tags.length) return;
  for (const subscriber of state().subscribers) {
    try {
      subscriber(tags);
    } catch (error) {
      console.error('[cache-bus] a subscriber failed:', error instanceof Error ? error.message : error);
    }
  }
}

async function invalidate(tags: string[]): Promise<void> {
  invalidateSubscribers(tags);
  const { invalidateLocal } = state();
  if (!invalidateLocal || !tags.length) return;
  try {
    await invalidateLocal(tags);
  } catch (error) {
    console.error('[cache-bus] invalidation failed:', error instanceof Error ? error.message : error);
  }
}

/** One dedicated connection LISTENing on the channel, reconnecting with backoff when it drops. */
class CacheListener {
  #client: pg.Client | undefined;
  #schema: string | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #delay = 250;

  readonly #url: string;
  /** Settles once the first connection attempt has: listening, or failed and retrying. */
  readonly ready: Promise<void>;
  #firstSettled!: () => void;

  constructor(url: string) {
    this.#url = url;
    this.ready = new Promise((resolve) => (this.#firstSettled = resolve));
  }

  start(): void {
    void this.#connect().finally(() => this.#firstSettled());
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const { default: pgModule } = await import('pg');
    // The process id in application_name tells an operator (and the tests) whose listener it is.
    const client = new pgModule.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      application_name: `qubi-cache-listener ${process.pid}`,
    });
    this.#client = client;
    let failed = false;
    const fail = (error?: Error) => {
      if (failed) return;
      failed = true;
      if (this.#client === client) this.#client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (!this.#stopped) {
        if (error)
          console.error(`[cache-bus] listener connection lost (${error.message}); retrying in ${this.#delay} ms`);
        this.#scheduleReconnect();
      }
    };
    client.on('error', (error) => fail(error));
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel !== CACHE_CHANNEL || !message.payload) return;
      try {
        const { schema, sender, tags } = JSON.parse(message.payload) as {
          schema?: unknown;
          sender?: unknown;
          tags?: unknown;
        };
        // This process's own: it invalidated these tags before publishing them (live-page.ts).
        if (sender === state().sender || schema !== this.#schema || !Array.isArray(tags)) return;
        void invalidate(tags.filter((t): t is string => typeof t === 'string'));
      } catch {
        // Not ours: ignore.
      }
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
      this.#schema = rows[0]?.schema;
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
      if (this.#stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.#delay = 250;
      // Notifications sent while we were not listening are lost: drop whatever may be stale.
      await invalidate([...state().knownTags]);
      console.log(`[cache-bus] listening on ${CACHE_CHANNEL} (schema ${this.#schema})`);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #scheduleReconnect(): void {
    if (this.#retry || this.#stopped) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, 10000);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, delay);
    this.#retry.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => {});
  }
}
