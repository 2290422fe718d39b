// The sitemap's parts (issue #14): the pages that come with the code and the desks in one part,
// the upcoming events in parts of EVENTS_PER_SITEMAP each, all listed by /sitemap-index.xml. Each
// event is five URLs (one per language) with its alternates, so a part stays far below the
// protocol's 50,000 URLs and 50 MB, and a crawler fetches only the parts that changed.
export const EVENTS_PER_SITEMAP = 500;

export const sitemapPartPath = (part: number) => `/sitemap-events-${part}.xml`;

/** The paths the index lists: the pages' part, then one per EVENTS_PER_SITEMAP upcoming events. */
export function sitemapParts(eventCount: number): string[] {
  const eventParts = Math.ceil(eventCount / EVENTS_PER_SITEMAP);
  return ['/sitemap-pages.xml', ...Array.from({ length: eventParts }, (_, i) => sitemapPartPath(i + 1))];
}

/** "3" → 3 when it names a part that exists; undefined otherwise (the route answers 404). */
export function readSitemapPart(raw: string | undefined, eventCount: number): number | undefined {
  if (!raw || !/^[1-9][0-9]{0,4}$/.test(raw)) return undefined;
  const part = Number(raw);
  return part <= Math.ceil(eventCount / EVENTS_PER_SITEMAP) ? part : undefined;
}
