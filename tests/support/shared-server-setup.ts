// vitest globalSetup of a project whose files share servers (tests/support/shared-server.ts): a
// `startServer()` for each worker slot whose file asks for one, all stopped after the last file. A
// project's globalSetup runs only when the run has files of that project, and a server starts only
// when a file asks, so a run without such files, or with one, starts none or one.
//
// Nothing is awaited here: vitest runs every globalSetup before the first file of any project, and a
// server waits for the run's database templates, which the unit files should not wait for. Workers
// ask by a file in a folder, which is looked at every 50 ms, and wait for the origin in another.
import { mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import makeTemplates from './global-setup.ts';
import { startServer, type RunningServer } from './server.ts';
import { SHARED_SERVERS_DIR, slotFiles } from './shared-server.ts';

export default function setup(project: TestProject): () => Promise<void> {
  // vitest runs the projects' globalSetups before the root's, which makes the database templates
  // that the servers are copied from: started here first (the root's call then does nothing).
  const removeTemplates = makeTemplates();
  const dir = mkdtempSync(path.join(tmpdir(), 'qubi-shared-servers-'));
  project.provide(SHARED_SERVERS_DIR, dir);
  const servers = new Map<string, Promise<RunningServer | undefined>>();
  const start = (slot: string) => {
    const files = slotFiles(dir, slot);
    return startServer().then(
      (server) => {
        // Written whole: a worker waiting for the file never reads half an origin.
        writeFileSync(`${files.origin}.tmp`, server.origin);
        renameSync(`${files.origin}.tmp`, files.origin);
        return server;
      },
      (error: unknown) => {
        writeFileSync(files.failed, error instanceof Error ? error.message : String(error));
        return undefined;
      },
    );
  };
  const poll = setInterval(() => {
    for (const name of readdirSync(dir)) {
      const slot = /^want-(\w+)$/.exec(name)?.[1];
      if (slot && !servers.has(slot)) servers.set(slot, start(slot));
    }
  }, 50);
  poll.unref();
  return async () => {
    clearInterval(poll);
    await Promise.all([...servers.values()].map(async (server) => (await server)?.stop()));
    await rm(dir, { recursive: true, force: true });
    await removeTemplates?.();
  };
}
