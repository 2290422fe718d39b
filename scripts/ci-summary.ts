// Adds up vitest's JSON reports and prints "N passed, N failed" (the line CI reads).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.ci-results';
let passed = 0;
let failed = 0;
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
    for (const test of suite.assertionResults ?? [])
      if (test.status === 'failed')
        console.log(`  FAILED ${path.relative(process.cwd(), suite.name)} > ${test.fullName}`);
  }
  console.log(
    `${file.replace(/\.json$/, '')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed (of ${report.numTotalTests})`,
  );
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
