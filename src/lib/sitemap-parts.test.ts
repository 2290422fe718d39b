import { describe, expect, it } from 'vitest';
import { EVENTS_PER_SITEMAP, readSitemapPart, sitemapParts } from './sitemap-parts.ts';

describe('sitemap parts', () => {
  it('lists the pages, then one part per 500 events: 10,000 events make 20 parts', () => {
    expect(sitemapParts(0)).toEqual(['/sitemap-pages.xml']);
    expect(sitemapParts(EVENTS_PER_SITEMAP)).toEqual(['/sitemap-pages.xml', '/sitemap-events-1.xml']);
    expect(sitemapParts(EVENTS_PER_SITEMAP + 1)).toHaveLength(3);
    const city = sitemapParts(10_000);
    expect(city).toHaveLength(21);
    expect(city.at(-1)).toBe('/sitemap-events-20.xml');
  });

  it('reads only a part that exists', () => {
    expect(readSitemapPart('1', 1)).toBe(1);
    expect(readSitemapPart('20', 10_000)).toBe(20);
    expect(readSitemapPart('21', 10_000)).toBeUndefined();
    expect(readSitemapPart('0', 10_000)).toBeUndefined();
    expect(readSitemapPart('01', 10_000)).toBeUndefined();
    expect(readSitemapPart('1', 0)).toBeUndefined();
  });
});
