// Builds the site unless dist/ is newer than every source file, so `npm start` and `npm test`
// build once on a fresh clone and start at once afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const stamp = 'dist/.build-stamp';
const inputs = ['src', 'public', 'astro.config.mjs', 'package.json'];

function newest(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built > Math.max(...inputs.map(newest)) && !process.argv.includes('--force')) {
  console.log('Build is up to date.');
} else {
  execFileSync('npx', ['astro', 'build'], { stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
}
