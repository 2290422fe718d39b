import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// The script Astro inlines in every page with an island (it defines <astro-island>).
import islandRuntime from 'astro/runtime/server/astro-island.prebuilt.js';
import { pageCsp, withCspMeta } from './page-csp.ts';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const css = 'body{margin:0}';

describe('pageCsp', () => {
  it('gives a page that runs no script script-src none and its one style hash (JSON-LD is not a script)', () => {
    const html = `<html><head><style>${css}</style><script type="application/ld+json">{"@type":"Event"}</script></head><body><p>x</p></body></html>`;
    expect(pageCsp(html, { asHeader: true })).toBe(
      `default-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; script-src 'none'; style-src 'self' ${sha(css)}; frame-ancestors 'none';`,
    );
  });

  it("allows an Astro island: the runtime's inline script by its hash, the component's modules from 'self'", () => {
    const directive = '(self.Astro||(self.Astro={})).load=async e=>{await(await e())()};';
    const html = `<html><head><style>${css}</style></head><body><astro-island uid="Z1" component-url="/_astro/NearestDesk.js" renderer-url="/_astro/client.js" client="load"></astro-island><script>${directive}</script><script>${islandRuntime}</script><script type="module" src="/_astro/page.js"></script></body></html>`;
    const csp = pageCsp(html, { asHeader: true });
    expect(csp).toContain(`script-src 'self' ${sha(directive)} ${sha(islandRuntime)};`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('lists a repeated style once and no style hash when there is no inline style', () => {
    expect(pageCsp(`<style>${css}</style><style>${css}</style>`, { asHeader: false })).toMatch(
      new RegExp(`style-src 'self' ${sha(css).replace(/[+/]/g, '\\$&')};$`),
    );
    expect(pageCsp('<link rel="stylesheet" href="/a.css">', { asHeader: false })).toMatch(/style-src 'self';$/);
  });

  it('puts the policy of a prerendered page in a <meta> first in <head>, without frame-ancestors', () => {
    const out = withCspMeta(`<html lang="ar"><head><meta charset="utf-8"><style>${css}</style></head></html>`);
    expect(out).toMatch(
      /^<html lang="ar"><head><meta http-equiv="content-security-policy" content="[^"]+script-src 'none'; style-src 'self' 'sha256-[^']+';"><meta charset/,
    );
    expect(out).not.toContain('frame-ancestors');
  });
});
