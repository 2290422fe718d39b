// The HTTP tests run against the built site: `npm test` builds first (pretest); this makes a
// bare `vitest run` say so instead of failing obscurely.
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync('dist/server/entry.mjs')) throw new Error('The site is not built: run `npm run build` or use `npm test`.');
}
