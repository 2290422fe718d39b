// One site for several read-only test files: started once per run by a project's globalSetup
// (tests/support/shared-server-setup.ts) instead of once per file. Only for files that never write
// what another file could see and need nothing fresh: the seeded demo as `startServer()` leaves it.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { inject } from 'vitest';
import type { RunningServer } from './server.ts';

/** The key under which the globalSetup provides the file the shared server's origin is written to. */
export const SHARED_ORIGIN_FILE = 'sharedServerOriginFile';
/** Written beside it instead when the server could not start: the error. */
export const failedFile = (originFile: string) => `${originFile}.failed`;

declare module 'vitest' {
  export interface ProvidedContext {
    [SHARED_ORIGIN_FILE]: string;
  }
}

/** As long as a file's own server may take: the templates (made in the run) and the start. */
const WAIT_MS = 180_000;

/**
 * The run's shared server, once it listens, as a file's own would be, except that it belongs to
 * vitest's main process: stopping it here does nothing (the globalSetup stops it after the last
 * file), and its process and log are not this worker's to read.
 */
export async function sharedServer(): Promise<RunningServer> {
  const originFile = inject(SHARED_ORIGIN_FILE);
  if (!originFile)
    throw new Error(
      'no shared server in this run: the file must be in a project whose globalSetup is tests/support/shared-server-setup.ts',
    );
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(originFile)) {
    if (existsSync(failedFile(originFile)))
      throw new Error(`the shared server did not start:\n${readFileSync(failedFile(originFile), 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the shared server did not start in ${WAIT_MS / 1000} s`);
    await setTimeout(50);
  }
  const origin = readFileSync(originFile, 'utf8');
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
