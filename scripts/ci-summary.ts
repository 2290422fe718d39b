// Adds up vitest's JSON reports and prints "N passed, N failed" (the line CI reads).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.ci-results';
let passed = 0;
let failed = 0;
// Each test by its file and name: the PostgreSQL suite runs many of the PGlite suite's files again,
// so the sum above counts those tests twice; this counts each once (and how many ran twice).
const runs = new Map<string, number>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numTotalTests: number;
    testResults?: {
      name: string;
      status?: string;
      message?: string;
      assertionResults?: { status: string; fullName: string }[];
    }[];
  };
  // Name what failed: the end of the log is often all that is kept.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && !suite.assertionResults?.some((t) => t.status === 'failed'))
      console.log(
        `  FAILED ${path.relative(process.cwd(), suite.name)}: ${suite.message?.split('\n')[0] ?? 'did not run'}`,
      );
    for (const test of suite.assertionResults ?? []) {
      const id = `${path.relative(process.cwd(), suite.name)} > ${test.fullName}`;
      runs.set(id, (runs.get(id) ?? 0) + 1);
      if (test.status === 'failed')
        console.log(`  FAILED ${path.relative(process.cwd(), suite.name)} > ${test.fullName}`);
    }
  }
  console.log(
    `${file.replace(/\.json$/, '')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed (of ${report.numTotalTests})`,
  );
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
const twice = [...runs.values()].filter((n) => n > 1).length;
console.log(`distinct tests: ${runs.size} (${twice} of them ran on both databases)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
