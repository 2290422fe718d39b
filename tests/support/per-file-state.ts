// setupFile of the integration project, whose files run one after the other in a reused worker
// process (isolate: false, vitest.config.ts) rather than each in a new one: a process, vitest's
// start, the app's module graph and PGlite's WebAssembly paid once per worker, not once per file.
// vitest runs this file again before each test file (the modules it imports stay loaded) and, after
// each file, restores its mocks (`vi.restoreAllMocks`) and its `vi.setConfig`. What the app keeps
// per process is reset here, in one place, so each file starts as it did in a process of its own:
// - process.env as the file found it (booking-holds and staff-auth change it for a test);
// - the configuration, parsed once per process from process.env (getConfig);
// - the server secret, read once per process from the database (getServerSecret): each file has a
//   database of its own, with a secret of its own;
// - fake timers, stubbed globals and stubbed variables (`vi.useFakeTimers`, `vi.stubGlobal`,
//   `vi.stubEnv`), which vitest does not undo between files.
// The rest of the app's module state is keyed by database handle (the desk and pledge caches),
// derived from constants (formatters, holidays, the common passwords) or only used by a server
// (the route cache, the database handle of getDb, the cache bus's listener): none of it carries a
// file's data into the next. A file that starts a mail worker or a fake SMS centre stops it itself.
import { afterAll, vi } from 'vitest';
import { forgetConfigForTests } from '#/server/config.ts';
import { forgetServerSecretForTests } from '#/server/security/secret.ts';

const environment = { ...process.env };
forgetConfigForTests();
forgetServerSecretForTests();

// Registered before the test file's own hooks, so it runs after them (vitest runs after-hooks last
// registered first): the file's databases are closed by then.
afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  forgetConfigForTests();
  forgetServerSecretForTests();
});
