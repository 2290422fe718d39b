// Builds the site unless dist/ is newer than every source file, so `npm start` and `npm test`
// build once on a fresh clone and start at once afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { START_DIR, START_INPUTS } from './bundle-start.ts';

const stamp = 'dist/.build-stamp';
// The start bundle (scripts/bundle-start.ts) also holds files outside src/ (scripts/serve.ts, the
// migrations, the seed data: the list it wrote) and the installed dependencies' code (package-lock.json).
const inputs = ['src', 'public', 'astro.config.mjs', 'package.json', 'package-lock.json', ...startInputs()];

function startInputs(): string[] {
  return existsSync(START_INPUTS) ? (JSON.parse(readFileSync(START_INPUTS, 'utf8')) as string[]) : [];
}

function newest(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

// A build from before the start bundle existed has a stamp but no bundle.
const built = existsSync(stamp) && existsSync(path.join(START_DIR, 'serve.mjs')) ? statSync(stamp).mtimeMs : 0;
if (built > Math.max(...inputs.map(newest)) && !process.argv.includes('--force')) {
  console.log('Build is up to date.');
} else {
  execFileSync('npx', ['astro', 'build'], { stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
}
