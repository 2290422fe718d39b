// `npm start`: runs the server the build bundled from scripts/serve.ts with its dependencies
// (dist/start/serve.mjs, made by scripts/bundle-start.ts). One file loads in about half the CPU of
// the hundreds of modules it replaces (docs/performance.md, "A server start"), and the tests, the
// benches and production all start this same artifact.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const bundle = path.resolve('dist/start/serve.mjs');
if (!existsSync(bundle)) {
  console.error('The site is not built yet: run `npm run build` (npm start does it for you).');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
