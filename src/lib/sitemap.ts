// sitemap.xml with hreflang alternates: every public page, in every language.
import { HREFLANG, LOCALES, type Locale } from './locales.ts';
import { escapeHtml } from './text.ts';

/** `pathFor(locale)` gives one page's path in each language; each language version is its own <url>. */
export function buildSitemap(pages: ((locale: Locale) => string)[], origin: string): string {
  const urls = pages.flatMap((pathFor) =>
    LOCALES.map((locale) => {
      const alternates = LOCALES.map(
        (l) =>
          `<xhtml:link rel="alternate" hreflang="${HREFLANG[l]}" href="${escapeHtml(new URL(pathFor(l), origin).href)}"/>`,
      ).join('');
      return `<url><loc>${escapeHtml(new URL(pathFor(locale), origin).href)}</loc>${alternates}</url>`;
    }),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">${urls.join('')}</urlset>\n`;
}

export function buildSitemapIndex(sitemapPaths: string[], origin: string): string {
  const entries = sitemapPaths
    .map((p) => `<sitemap><loc>${escapeHtml(new URL(p, origin).href)}</loc></sitemap>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries}</sitemapindex>\n`;
}
