// Bundles the server of `npm start` (scripts/serve.ts, the src/ modules it imports, the migrations,
// the seed data and its npm dependencies) into dist/start/, run by scripts/start.ts. Called by the
// build (the integration in astro.config.mjs), after Astro's own.
//
// Why: unbundled, a start loaded ~890 modules (kysely alone 257, libphonenumber-js 93, src/ 138),
// and resolving, reading and compiling them was most of a start's ~1 s of CPU; the tests start
// the site ~140 times per CI run (docs/performance.md, "A server start").
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export const START_DIR = 'dist/start';
/** The files of this repository the bundle was made from: scripts/build-if-stale.ts rebuilds when one changes. */
export const START_INPUTS = `${START_DIR}/inputs.json`;

export async function bundleStart(root = process.cwd()): Promise<void> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { serve: 'scripts/serve.ts' },
    outdir: START_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Code split at the dynamic imports (the outbox worker, the demo accounts, the locales), each
    // loaded as Node loads any ES module: esbuild's single-file form runs a module with a top-level
    // await (src/lib/i18n.ts) inside a lazy initializer, and an import cycle among those never
    // finished (the server stopped after "[cache-bus] listening" without opening its port).
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // Native code and WebAssembly stay in node_modules, where they find their files.
    external: ['@electric-sql/pglite', '@node-rs/argon2', 'pg-native'],
    // The CommonJS dependencies (pg, nodemailer, compression…) require Node's built-in modules.
    banner: {
      js: "import { createRequire as __qubiRequire } from 'node:module'; const require = __qubiRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  await writeFile(path.join(root, START_INPUTS), JSON.stringify(inputs, null, 1));
}
