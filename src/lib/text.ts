// Text helpers every layer shares: one HTML/XML escape and one slug rule, so pages, emails, error
// pages, feeds and seed data agree on them. Pure.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe inside HTML or XML, in element content and in attribute values quoted with either
 * quote: the five special characters as entities (`&#39;` is valid in both HTML and XML).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** "Festa di Natale, città!" → "festa-di-natale-citta": ASCII letters and digits joined by hyphens. */
export function slugify(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
