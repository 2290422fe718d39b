// vitest globalSetup of a project whose files share one server (tests/support/shared-server.ts):
// `startServer()` once, stopped after the last file. A project's globalSetup runs only when the run
// has files of that project, so a run of other files starts nothing here.
//
// It returns at once and starts the server meanwhile: vitest runs every globalSetup before the first
// file of any project, and the server waits for the run's database templates, which the unit files
// should not wait for. The origin goes to a file the workers wait for (written whole by a rename).
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import makeTemplates from './global-setup.ts';
import { startServer, type RunningServer } from './server.ts';
import { failedFile, SHARED_ORIGIN_FILE } from './shared-server.ts';

export default function setup(project: TestProject): () => Promise<void> {
  // vitest runs the projects' globalSetups before the root's, which makes the database templates
  // that the server is copied from: started here first (the root's call then does nothing).
  const removeTemplates = makeTemplates();
  const dir = mkdtempSync(path.join(tmpdir(), 'qubi-shared-server-'));
  const originFile = path.join(dir, 'origin');
  project.provide(SHARED_ORIGIN_FILE, originFile);
  const started: Promise<RunningServer | undefined> = startServer().then(
    (server) => {
      writeFileSync(`${originFile}.tmp`, server.origin);
      renameSync(`${originFile}.tmp`, originFile);
      return server;
    },
    (error: unknown) => {
      writeFileSync(failedFile(originFile), String(error instanceof Error ? error.message : error));
      return undefined;
    },
  );
  return async () => {
    await (await started)?.stop();
    await rm(dir, { recursive: true, force: true });
    await removeTemplates?.();
  };
}
