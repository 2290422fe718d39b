// The order in which vitest hands the test files to its workers (vitest.config.ts,
// `sequence.sequencer`).
//
// vitest queues a group's files (one `sequence.groupOrder`) in the order the sequencer returns, and
// each free worker takes the head of the queue. Its own BaseSequencer sorts by project NAME first, so
// the `http` files ran, then `http-shared-server`, then `integration`; and within a project by file
// size when there is no cache of past runs (a fresh clone, CI), which is not the order of their
// durations: a long file drawn last ran alone while the other core sat idle.
//
// Here the files are planned on the workers as vitest will run them, from typical durations
// (tests/support/file-durations.json, measured on this project; `node scripts/file-durations.ts`
// refreshes it from a run's JSON report): each time a worker frees, it takes the longest file left,
// so that the last files to start are short ones and the workers end together. One exception: a
// worker of an `isolate: false` project is kept only when the next file in the queue is of the same
// project (vitest's Pool.schedule); so a worker that ran such a file takes the longest file left of
// the same project while there is one, rather than end its process and start another.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

type Durations = Record<string, number>;
interface DurationsFile {
  pglite: Durations;
  postgresql: Durations;
}

const durationsFile = new URL('./file-durations.json', import.meta.url);

/** Seconds, for a file the list does not have yet (a new file): about an average database file. */
const UNKNOWN_SECONDS = 10;

/**
 * A sequencer that plans each group's files longest first; the files of the projects named in
 * `first` go before the others (the unit files, while the run's database templates are made).
 */
export function longestFirst({ first = [] }: { first?: string[] } = {}) {
  return class LongestFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const seconds = readDurations(this.ctx.config.root);
      const groups = new Map<number, TestSpecification[]>();
      for (const file of files) {
        const order = file.project.config.sequence.groupOrder;
        groups.set(order, [...(groups.get(order) ?? []), file]);
      }
      return [...groups.keys()].sort((a, b) => a - b).flatMap((order) => plan(groups.get(order) ?? [], seconds, first));
    }
  };
}

/** The group's files in the order the workers should start them. */
function plan(
  files: TestSpecification[],
  seconds: (file: TestSpecification) => number,
  first: string[],
): TestSpecification[] {
  const workers = Array.from({ length: Math.max(1, files[0]?.project.config.maxWorkers ?? 1) }, () => ({
    freeAt: 0,
    project: undefined as string | undefined,
  }));
  const longestFirst = (a: TestSpecification, b: TestSpecification) =>
    seconds(b) - seconds(a) || a.moduleId.localeCompare(b.moduleId);
  const isFirst = (file: TestSpecification) => first.includes(file.project.name);
  const queue: TestSpecification[] = [];
  for (const left of [files.filter(isFirst), files.filter((file) => !isFirst(file))]) {
    left.sort(longestFirst);
    while (left.length > 0) {
      const worker = workers.reduce((soonest, next) => (next.freeAt < soonest.freeAt ? next : soonest));
      const same = left.findIndex((file) => !file.project.config.isolate && file.project.name === worker.project);
      const [file] = left.splice(same === -1 ? 0 : same, 1);
      if (!file) break;
      queue.push(file);
      worker.freeAt += seconds(file);
      worker.project = file.project.name;
    }
  }
  return queue;
}

/** Typical seconds of each file on the run's database, by its path from the root. */
function readDurations(root: string): (file: TestSpecification) => number {
  const all = JSON.parse(readFileSync(durationsFile, 'utf8')) as DurationsFile;
  const durations = process.env.TEST_DATABASE_URL ? all.postgresql : all.pglite;
  return (file) => durations[path.relative(root, file.moduleId)] ?? UNKNOWN_SECONDS;
}
