// Refreshes tests/support/file-durations.json, the typical seconds of each test file that
// tests/support/sequencer.ts plans the workers with, from a vitest JSON report:
//
//   node scripts/file-durations.ts .ci-results/unit-integration-http.json            (PGlite)
//   node scripts/file-durations.ts --postgresql .ci-results/postgresql.json
//
// (.ci/run writes both reports; `npx vitest run --reporter=json --outputFile=<file>` writes one.)
// Only the relative durations matter: the sequencer starts the longest files first. Files the
// report does not have keep their figure; files that no longer exist are dropped.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const database = args.includes('--postgresql') ? 'postgresql' : 'pglite';
const report = args.find((arg) => !arg.startsWith('--'));
if (!report) {
  console.error('usage: node scripts/file-durations.ts [--postgresql] <vitest JSON report>');
  process.exit(1);
}

const target = 'tests/support/file-durations.json';
const all = JSON.parse(readFileSync(target, 'utf8')) as Record<string, Record<string, number>>;
const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as {
  testResults: { name: string; startTime: number; endTime: number }[];
};
const durations = { ...all[database] };
for (const { name, startTime, endTime } of testResults)
  durations[path.relative(process.cwd(), name)] = Math.round((endTime - startTime) / 100) / 10;
all[database] = Object.fromEntries(
  Object.entries(durations)
    .filter(([file]) => existsSync(file))
    .sort(([a], [b]) => a.localeCompare(b)),
);
writeFileSync(target, `${JSON.stringify(all, null, 2)}\n`);
console.log(`${target}: ${Object.keys(all[database]).length} files on ${database}`);
