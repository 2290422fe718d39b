// @ts-check
import { defineConfig, memoryCache } from 'astro/config';
import node from '@astrojs/node';
import preact from '@astrojs/preact';
import { DEFAULT_LOCALE, LOCALES } from './src/lib/locales.ts';
import { bundleStart } from './scripts/bundle-start.ts';

export default defineConfig({
  // Canonical links, feeds and the sitemap use PUBLIC_URL; the server reads it again at run time.
  site: process.env.PUBLIC_URL || 'http://localhost:4321',
  output: 'server',
  // The adapter's request handler only (scripts/serve.ts runs the HTTP server): its standalone
  // handler looked every request up on disk before rendering it (an lstat, then two failed stats
  // through the thread pool for each POST), where the front cache already knows dist/client's files.
  adapter: node({ mode: 'middleware' }),
  integrations: [
    preact(),
    // `npm start`'s server, bundled once the site is built (scripts/bundle-start.ts).
    { name: 'qubi-start-bundle', hooks: { 'astro:build:done': () => bundleStart() } },
  ],
  trailingSlash: 'never',
  // CSS is inlined: one round trip less before the first paint on a slow phone (it is ~3 KB compressed).
  build: { format: 'file', inlineStylesheets: 'always' },
  i18n: {
    // The site's languages are one record each in src/lib/locales.ts.
    locales: [...LOCALES],
    defaultLocale: DEFAULT_LOCALE,
    // Every page carries its locale in the path; "/" itself negotiates (src/pages/index.ts).
    routing: { prefixDefaultLocale: true, redirectToDefaultLocale: false },
  },
  // Live pages are rendered on demand and kept in memory, tagged; writes invalidate their tags.
  cache: { provider: memoryCache({ max: 2000 }) },
  security: {
    // Form posts must come from the site's own pages (Origin equal to the request's origin).
    checkOrigin: true,
    // Behind a TLS-terminating proxy the server is reached over plain HTTP: Astro may then believe
    // X-Forwarded-Proto: https, which scripts/start.ts lets through only from TRUSTED_PROXIES (it
    // removes every forwarded header a client sent, and sets Host to PUBLIC_URL's). The host
    // itself is checked at run time, not here, so one build serves any PUBLIC_URL.
    allowedDomains: [{ protocol: 'https' }],
    // No security.csp: Astro's lists every hash of the whole build on every page. Each page gets the
    // policy of what it carries instead (src/server/http/page-csp.ts, applied in src/middleware.ts).
  },
  server: { port: 4321 },
  devToolbar: { enabled: false },
  // The server build bundles its npm dependencies: loading a start's hundreds of modules one by one
  // was most of its CPU (docs/architecture.md, Decisions). PGlite (WebAssembly) and argon2 (a native
  // module) stay in node_modules, where they find their files.
  vite: { ssr: { noExternal: true, external: ['@electric-sql/pglite', '@node-rs/argon2'] } },
});
