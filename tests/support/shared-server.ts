// One site per worker for several read-only test files: started by a project's globalSetup
// (tests/support/shared-server-setup.ts) for each of vitest's worker slots that asks, instead of once
// per file. Only for files that never write what another file could see and need nothing fresh: the
// seeded demo as `startServer()` leaves it. One per worker slot, not one for the run: a slot runs one
// file at a time, so each server serves one file at a time as a file's own did (one server for two
// browser files at once made them wait for it: 101 s against 68 s for the six browser files).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { inject } from 'vitest';
import type { RunningServer } from './server.ts';

/** The key under which the globalSetup provides the folder through which workers ask for a server. */
export const SHARED_SERVERS_DIR = 'sharedServersDir';

declare module 'vitest' {
  export interface ProvidedContext {
    [SHARED_SERVERS_DIR]: string;
  }
}

/** The files of one worker slot's server in the folder: asked for, its origin, or why it failed. */
export const slotFiles = (dir: string, slot: string) => ({
  wanted: path.join(dir, `want-${slot}`),
  origin: path.join(dir, `origin-${slot}`),
  failed: path.join(dir, `failed-${slot}`),
});

/** As long as a file's own server may take: the templates (made in the run) and the start. */
const WAIT_MS = 180_000;

/**
 * This worker slot's shared server, once it listens, as a file's own would be, except that it
 * belongs to vitest's main process: stopping it here does nothing (the globalSetup stops it after
 * the last file), and its process and log are not this worker's to read.
 */
export async function sharedServer(): Promise<RunningServer> {
  const dir = inject(SHARED_SERVERS_DIR);
  if (!dir)
    throw new Error(
      'no shared server in this run: the file must be in a project whose globalSetup is tests/support/shared-server-setup.ts',
    );
  const files = slotFiles(dir, process.env.VITEST_POOL_ID ?? '1');
  if (!existsSync(files.wanted)) writeFileSync(files.wanted, '');
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(files.origin)) {
    if (existsSync(files.failed))
      throw new Error(`the shared server did not start:\n${readFileSync(files.failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the shared server did not start in ${WAIT_MS / 1000} s`);
    await setTimeout(50);
  }
  const origin = readFileSync(files.origin, 'utf8');
  const notHere = (what: string) => () => {
    throw new Error(`the shared server's ${what} belongs to vitest's main process; start a server of the file's own`);
  };
  return {
    origin,
    get process(): never {
      return notHere('process')();
    },
    output: notHere('log'),
    stop: () => Promise.resolve(null),
  };
}
