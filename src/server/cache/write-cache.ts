// Per-process copies of the reference data every public write reads but only staff change. This
// file is the plumbing: a bounded store of loaded values per database handle, with a time to live
// and a generation; what is kept, how it is loaded and which invalidation tags drop it belong to
// the features (src/features/booking/desk-cache.ts: desks with their hours and exceptions;
// src/features/campaign/pledge-setup-cache.ts: a campaign's items, points and windows).
//
// Never trusted for what concurrency decides: the features count places and quantities inside the
// write's transaction; a copy only spares the statements that read what staff set up.
//
// Freshness, the same for every copy:
// - An entry lives at most TTL_MS, which bounds staleness if an invalidation is lost (the listener
//   reconnecting, a change made with SQL by hand).
// - A copy may follow the route cache's tags (cache-bus.ts onInvalidation: this process's writes
//   and, on PostgreSQL, the other processes' NOTIFY) through its `onTags`.
// - A load that started before an invalidation is not kept (generation check), so a request that
//   read the old rows cannot put them back after the change was announced.
//
// Keyed by the database handle (tests open several in one process) and bounded in entries.
import type { Db } from '#/server/db/database.ts';
import { onInvalidation } from './cache-bus.ts';

export const TTL_MS = 60_000;

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A bounded map of loaded values with a generation that every invalidation bumps. */
export class WriteCacheStore<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #pending = new Map<string, Promise<V>>();
  #generation = 0;

  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  async get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    // Requests that miss together share one load.
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const generation = this.#generation;
    const loading = load().then(
      (value) => {
        if (this.#pending.get(key) === loading) this.#pending.delete(key);
        // Unknown names are not kept: junk requests must not push real entries out.
        if (generation === this.#generation && value !== undefined) this.#set(key, value, now);
        return value;
      },
      (error: unknown) => {
        if (this.#pending.get(key) === loading) this.#pending.delete(key);
        throw error;
      },
    );
    this.#pending.set(key, loading);
    return loading;
  }

  #set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + TTL_MS });
    // Oldest first: Map keeps insertion order.
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  drop(key?: string): void {
    this.#generation++;
    if (key === undefined) {
      this.#entries.clear();
      this.#pending.clear();
    } else {
      this.#entries.delete(key);
      this.#pending.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

export interface PerDatabaseStore<V> {
  /** This database's store, made on first use. */
  of(db: Db): WriteCacheStore<V>;
  /** This database's store if one was made (for tests: its size). */
  peek(db: Db): WriteCacheStore<V> | undefined;
}

/**
 * One store per database handle, dropped with the handle; `onTags` runs for each live store on every
 * invalidation announced on the cache bus.
 */
export function perDatabaseStore<V>(options: {
  maxEntries: number;
  onTags?: (store: WriteCacheStore<V>, tags: readonly string[]) => void;
}): PerDatabaseStore<V> {
  const stores = new WeakMap<Db, WriteCacheStore<V>>();
  const live = new Set<WeakRef<WriteCacheStore<V>>>();
  let subscribed = false;
  const subscribe = (onTags: NonNullable<typeof options.onTags>) => {
    if (subscribed) return;
    subscribed = true;
    onInvalidation((tags) => {
      for (const ref of live) {
        const store = ref.deref();
        if (store) onTags(store, tags);
        else live.delete(ref);
      }
    });
  };
  return {
    of(db) {
      let store = stores.get(db);
      if (!store) {
        store = new WriteCacheStore<V>(options.maxEntries);
        stores.set(db, store);
        if (options.onTags) {
          live.add(new WeakRef(store));
          subscribe(options.onTags);
        }
      }
      return store;
    },
    peek: (db) => stores.get(db),
  };
}
