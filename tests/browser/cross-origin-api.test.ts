// Another site's script in Chromium, as a browser app would use the open data: it reads the API
// (its preflight answered when it sends If-None-Match, and the unchanged answer a 304), but the
// browser refuses to let it post a booking, because the write endpoints answer no CORS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite } from './support.ts';

const site = browserSite(() => sharedServer());
let other: Server;
let otherOrigin: string;

beforeAll(async () => {
  // Another origin: the same host on another port.
  other = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><head><title>Another site</title></head><body>app</body></html>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => other?.close(resolve));
});

describe('the API from another site in a browser', () => {
  it('can be read, conditionally, but not written to', async () => {
    await site.withPage({ javaScriptEnabled: true }, async (page) => {
      await page.goto(`${otherOrigin}/`);
      const result = await page.evaluate(async (api) => {
        const first = await fetch(`${api}/api/v1/desks?municipio=8`);
        const desks = (await first.json()) as { slug: string }[];
        const etag = first.headers.get('ETag');
        const again = await fetch(`${api}/api/v1/desks?municipio=8`, { headers: { 'If-None-Match': etag ?? '' } });
        const licence = first.headers.get('Link');
        let write = 'sent';
        try {
          await fetch(`${api}/api/v1/bookings`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ desk: 'gallaratese' }),
          });
        } catch (error) {
          write = (error as Error).name;
        }
        return { slugs: desks.map((d) => d.slug), etag, again: again.status, licence, write };
      }, site.origin);
      expect(result.slugs).toContain('quarto-oggiaro');
      expect(result.etag).toMatch(/^"/);
      expect(result.again).toBe(304);
      expect(result.licence).toContain('creativecommons.org/licenses/by/4.0');
      expect(result.write).toBe('TypeError');
    });
  });
});
