// The site search over HTTP, as a browser without JavaScript uses it: the header's link, the GET
// form with the model's markers, and results in the reader's language (desks, services, events,
// FAQ and content pages), never cached.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../support/server.ts';
import { sharedServer } from '../support/shared-server.ts';

let server: RunningServer;
beforeAll(async () => {
  // The run's server, shared with the other read-only files (vitest.config.ts, sharingServers).
  server = await sharedServer();
});

const page = async (path: string) => {
  const res = await fetch(server.origin + path, { redirect: 'manual' });
  return { res, html: await res.text() };
};

describe('site search', () => {
  it('is linked from every page’s header and offers a plain form with the model’s markers', async () => {
    const { html } = await page('/it/eventi');
    expect(html).toMatch(/<a[^>]*href="\/it\/cerca"[^>]*data-element="search-modal-button"/);
    const search = await page('/it/cerca');
    expect(search.res.status).toBe(200);
    expect(search.html).toMatch(/<form[^>]*method="get"[^>]*action="\/it\/cerca"/);
    expect(search.html).toContain('data-element="search-modal-input"');
    expect(search.html).toContain('data-element="search-submit"');
  });

  it('finds a desk by its area, a service by its name and a FAQ answer, in the page’s language', async () => {
    const { res, html } = await page(`/it/cerca?q=${encodeURIComponent('gallaratese')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('href="/it/sportelli/gallaratese"');

    const service = await page(`/en/cerca?q=${encodeURIComponent('listen')}`);
    expect(service.html).toMatch(/<h3[^>]*>Services<\/h3>/);

    const faq = await page(`/it/cerca?q=${encodeURIComponent("parlare l'italiano")}`);
    expect(faq.html).toContain('href="/it/faq#q2"');
    expect(faq.html).toContain('Devo parlare bene l&#39;italiano?');
  });

  it('finds a coming event by a word of its title', async () => {
    const events = await page('/it/eventi');
    const link = /<a[^>]*href="(\/it\/eventi\/[a-z0-9-]+)"[^>]*>([^<]+)</.exec(events.html);
    expect(link).not.toBeNull();
    const word = link![2]!
      .trim()
      .split(/\s+/)
      .find((w) => w.length > 4)!;
    const found = await page(`/it/cerca?q=${encodeURIComponent(word)}`);
    expect(found.html).toContain(`href="${link![1]}"`);
  });

  it('says there is nothing, and where else to look, for words the site does not hold', async () => {
    const { res, html } = await page(`/es/cerca?q=${encodeURIComponent('zzzqqq')}`);
    expect(res.status).toBe(200);
    expect(html).toContain('No hay resultados para «zzzqqq»');
    expect(html).toContain('href="/es/contatti"');
  });
});
