// sitemap.xml with hreflang alternates: every public page, in every language.
import { DEFAULT_LOCALE, HREFLANG, LOCALES, type Locale } from './locales.ts';
import { escapeHtml } from './text.ts';

export interface SitemapPage {
  /** The page's path in each language. */
  path: (locale: Locale) => string;
  /** When what the page shows last changed. */
  lastmod?: Date;
}

/**
 * Each language version is its own <url>, naming every language's version and x-default (the
 * Italian one, as the pages' own <link rel="alternate"> do). A bare function is a page without lastmod.
 */
export function buildSitemap(pages: (SitemapPage | ((locale: Locale) => string))[], origin: string): string {
  const urls = pages.flatMap((page) => {
    const { path, lastmod } = typeof page === 'function' ? { path: page, lastmod: undefined } : page;
    const href = (l: Locale) => escapeHtml(new URL(path(l), origin).href);
    const alternates =
      LOCALES.map((l) => `<xhtml:link rel="alternate" hreflang="${HREFLANG[l]}" href="${href(l)}"/>`).join('') +
      `<xhtml:link rel="alternate" hreflang="x-default" href="${href(DEFAULT_LOCALE)}"/>`;
    // W3C datetime; whole seconds in UTC.
    const modified = lastmod ? `<lastmod>${lastmod.toISOString().replace(/\.\d{3}Z$/, 'Z')}</lastmod>` : '';
    return LOCALES.map((locale) => `<url><loc>${href(locale)}</loc>${modified}${alternates}</url>`);
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">${urls.join('')}</urlset>\n`;
}

export function buildSitemapIndex(sitemapPaths: string[], origin: string, lastmod?: Date): string {
  const modified = lastmod ? `<lastmod>${lastmod.toISOString().replace(/\.\d{3}Z$/, 'Z')}</lastmod>` : '';
  const entries = sitemapPaths
    .map((p) => `<sitemap><loc>${escapeHtml(new URL(p, origin).href)}</loc>${modified}</sitemap>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries}</sitemapindex>\n`;
}
