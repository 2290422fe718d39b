// The per-page Content-Security-Policy (src/server/http/page-csp.ts) in a real browser, with the
// scripts Astro puts in a page with an island: its `client:load` directive and the <astro-island>
// runtime inline (allowed by their hashes), the component and the renderer as modules from the
// site's own origin. The island hydrates with the policy enforced (no bypassCSP), and a script the
// page did not carry when its policy was made is refused. (The site itself has no island yet:
// this is the mechanism the first one will use.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import islandRuntime from 'astro/runtime/server/astro-island.prebuilt.js';
import loadDirective from 'astro/runtime/client/load.prebuilt.js';
import { pageCsp } from '#/server/http/page-csp.ts';
import { closeContexts, workerBrowser } from './chromium.ts';

const island = `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>isola</title><style>p{margin:0}</style></head><body>
<astro-island uid="Z1" component-url="/component.js" component-export="default" renderer-url="/renderer.js" props="{}" ssr client="load" opts='{"name":"NearestDesk","value":true}'><p id="out">server</p></astro-island>
<script>${loadDirective}</script><script>${islandRuntime}</script></body></html>`;
const modules: Record<string, string> = {
  '/component.js': 'export default function NearestDesk() {}',
  // A renderer as Astro calls one: given the island, it hydrates the component into it.
  '/renderer.js': "export default (el) => async () => { el.querySelector('#out').textContent = 'hydrated'; };",
};
const injected = '<script>document.title = "injected"</script>';

let server: http.Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const module = modules[req.url ?? ''];
    if (module) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(module);
    // /late: the island page's policy, with a script added after the policy was made.
    const body = req.url === '/late' ? island.replace('</body>', `${injected}</body>`) : island;
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': pageCsp(island, { asHeader: true }) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await workerBrowser();
});
afterAll(async () => {
  if (browser) await closeContexts(browser);
  await new Promise((r) => server?.close(r));
});

describe('the per-page CSP and an Astro island', () => {
  it('lets the island hydrate, with no violation reported', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${origin}/`);
    await expect.poll(() => page.locator('#out').textContent()).toBe('hydrated');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('refuses an inline script the page did not carry when its policy was made', async () => {
    const page = await browser.newPage();
    const refused = new Promise<string>((resolve) =>
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) resolve(m.text());
      }),
    );
    await page.goto(`${origin}/late`);
    expect(await refused).toMatch(/script-src/);
    await expect.poll(() => page.locator('#out').textContent()).toBe('hydrated');
    expect(await page.title()).toBe('isola');
    await page.close();
  });
});
