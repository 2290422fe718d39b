// `npm start`: runs the server the build bundled from scripts/serve.ts with its dependencies
// (dist/start/serve.mjs and its chunks, made by scripts/bundle-start.ts): they load in about two
// thirds of the CPU of the ~890 modules they replace (docs/performance.md, "A server start"), and
// the tests, the benches and production all start this same artifact.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const bundle = path.resolve('dist/start/serve.mjs');
if (!existsSync(bundle)) {
  console.error('The site is not built yet: run `npm run build` (npm start does it for you).');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
