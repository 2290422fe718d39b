// Where a test run keeps the folders its databases live in: the servers' data folders (a copy of the
// run's template each, written to by PGlite for the server's whole life) and the templates
// themselves. In memory (/dev/shm, a tmpfs) when the machine has one, else the system's temporary
// folder. On this machine (ext4 on a virtual disk) creating a file costs the kernel ~0.2–0.3 ms:
// `cp -R` of a template (1,245 files, 42 MB) took 0.45–1.1 s of system CPU on the disk against
// 0.07 s into /dev/shm, and a run starts ~45 servers. Nothing here needs to outlive the run, and a
// process killed with SIGKILL (crash.test.ts) leaves what it wrote in memory either way.
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';

const MEMORY = '/dev/shm';

function inMemory(): boolean {
  try {
    accessSync(MEMORY, constants.W_OK);
    return statSync(MEMORY).isDirectory();
  } catch {
    return false;
  }
}

/** The folder under which a test run makes its scratch folders (mkdtemp). */
export const scratchRoot: string = inMemory() ? MEMORY : tmpdir();
