// A page that arrives slowly paints nothing that then moves. On a poor connection (or an old phone
// whose parser stops part-way and paints), Chromium paints whatever HTML it has: the header once
// painted with its <details> but not yet its <summary> showed a small "Details" that grew into the
// language button and pushed the bar (a layout shift CI saw under load). Here a proxy on loopback
// hands Chromium each page's HTML in small pieces with a pause between them, so the browser paints
// part-pages on every run; the page's layout shifts are then all counted, from the first paint, with
// the elements that moved, and must be none.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedServer } from '../support/shared-server.ts';
import { browserSite } from './support.ts';

const site = browserSite(() => sharedServer());
/** A piece every pause: a 3G phone's first round trip is about this much HTML, compressed. */
const PIECE_BYTES = 1500;
const PAUSE_MS = 120;

/** The site through a slow link: every answer as it is, an HTML page's body piece by piece. */
function slowProxy(target: () => string): Promise<Server> {
  const server = createServer(async (req, res) => {
    const answer = await fetch(new URL(req.url ?? '/', target()), {
      method: req.method,
      headers: { 'accept-language': req.headers['accept-language'] ?? '' },
      redirect: 'manual',
    });
    const body = Buffer.from(await answer.arrayBuffer());
    const headers = Object.fromEntries(
      [...answer.headers].filter(
        ([name]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(name),
      ),
    );
    res.writeHead(answer.status, headers);
    if (!answer.headers.get('content-type')?.startsWith('text/html')) return res.end(body);
    for (let at = 0; at < body.length; at += PIECE_BYTES) {
      res.write(body.subarray(at, at + PIECE_BYTES));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let proxy: Server;
beforeAll(async () => {
  proxy = await slowProxy(() => site.origin);
});
afterAll(() => new Promise((resolve) => proxy.close(resolve)));

describe('a page arriving slowly', () => {
  it.each([
    ['it', ''],
    ['ar', ''],
    ['ar', '/sportelli'],
    ['zh', '/eventi'],
  ])('paints nothing that moves later, at 320 px (%s%s)', async (locale, page) => {
    const { port } = proxy.address() as AddressInfo;
    await site.withNewContext({ viewport: { width: 320, height: 2400 } }, async (tab) => {
      await tab.addInitScript(() => {
        const w = window as unknown as { moved: string[]; painted: boolean };
        w.moved = [];
        // "label for=municipio in form.filter": enough to find what moved.
        const whatMoved = (node: Node | undefined) => {
          const name = (n: Element) =>
            [n.localName, n.id && `#${n.id}`, n.getAttribute('class') && `.${n.getAttribute('class')}`].join('');
          if (node instanceof Text && node.parentElement)
            return `text "${node.data.trim().slice(0, 20)}" in ${name(node.parentElement)}`;
          if (!(node instanceof Element)) return String(node?.nodeName);
          return `${name(node)} in ${node.parentElement ? name(node.parentElement) : '-'}`;
        };
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as (PerformanceEntry & { value: number; sources: { node?: Node }[] })[])
            for (const s of e.sources) w.moved.push(whatMoved(s.node));
        }).observe({ type: 'layout-shift', buffered: true });
        w.painted = false;
        new PerformanceObserver(() => (w.painted = true)).observe({ type: 'paint', buffered: true });
      });
      await tab.goto(`http://127.0.0.1:${port}/${locale}${page}`, { waitUntil: 'load' });
      // The page painted (with its first paint held until the page is whole, that may come after
      // "load"), two more frames went by, and the observers have reported: else nothing was measured.
      await tab.waitForFunction(() => (window as unknown as { painted: boolean }).painted);
      await tab.evaluate(
        () =>
          new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50)))),
      );
      await tab.locator('footer').first().waitFor();
      expect(await tab.evaluate(() => (window as unknown as { moved: string[] }).moved)).toEqual([]);
    });
  });
});
