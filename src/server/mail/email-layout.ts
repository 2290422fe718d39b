// The shared shape of the site's emails: one content object rendered twice, as plain text and as a
// small HTML page in the reader's language and direction (Arabic right to left), with the same
// greeting, details, links, notes and footer in both. Pure; every feature's emails come here through
// render-email.ts, which fills in the parts they share.
import { HREFLANG, textDirection, type Locale } from '#/lib/locales.ts';
import { escapeHtml } from '#/lib/text.ts';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  ics?: string;
  /** The message's own link (manage or confirm), logged by the file mailer so a developer can follow it. */
  manageUrl?: string;
}

export interface Detail {
  label: string;
  value: string;
  href?: string;
  /** Numbers and codes read left to right even inside Arabic text. */
  ltr?: boolean;
  /** A second line under the value (e.g. the mediator's days under the languages). */
  more?: string;
  /** The value is Italian text (lang="it"), e.g. a desk's own words shown to a reader of another language. */
  italian?: boolean;
  /** A short remark after the value, in the reader's language (e.g. "(only in Italian)"). */
  aside?: string;
}

/** A headed block of its own after the main links (e.g. a desk's "Before you come"). */
export interface Section {
  heading: string;
  /** A label under the heading (e.g. "Example data"). */
  tag?: string;
  details: Detail[];
  links: Link[];
}

export interface Link {
  text: string;
  url: string;
}

export interface EmailContent {
  subject: string;
  greeting: string;
  intro: string;
  /** A heading and its lines (e.g. the items of a pledge), shown before the details. */
  list?: { label: string; items: string[] };
  details: Detail[];
  links: Link[];
  sections?: Section[];
  notes: string[];
  closing: string;
  signature: string;
  footer: string;
  /** Links that belong to the footer (e.g. the one that deletes the reader's data). */
  footerLinks?: Link[];
}

export function renderText(c: EmailContent): string {
  const blocks = [c.greeting, c.intro];
  if (c.list) blocks.push(`${c.list.label}\n${c.list.items.map((item) => `- ${item}`).join('\n')}`);
  if (c.details.length > 0) blocks.push(textDetails(c.details));
  for (const link of c.links) blocks.push(`${link.text}\n${link.url}`);
  for (const s of c.sections ?? []) {
    const head = [s.heading, ...(s.tag ? [`(${s.tag})`] : [])].join('\n');
    const parts = [head, textDetails(s.details), ...s.links.map((link) => `${link.text}\n${link.url}`)];
    blocks.push(parts.filter(Boolean).join('\n\n'));
  }
  blocks.push(...c.notes, `${c.closing}\n${c.signature}`);
  const footer = [c.footer, ...(c.footerLinks ?? []).map((link) => `${link.text}\n${link.url}`)].join('\n\n');
  blocks.push(`-- \n${footer}`);
  return blocks.join('\n\n') + '\n';
}

function textDetails(details: Detail[]): string {
  return details
    .map((d) => `${d.label}: ${d.value}${d.aside ? ` ${d.aside}` : ''}${d.more ? `\n${d.more}` : ''}`)
    .join('\n');
}

export function renderHtml(c: EmailContent, locale: Locale): string {
  const list = c.list
    ? `<p>${escapeHtml(c.list.label)}</p>\n<ul>\n${c.list.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>\n`
    : '';
  const details = htmlDetails(c.details);
  const links = c.links.map(renderLink).join('') + (c.sections ?? []).map(renderSection).join('');
  const footerLinks = (c.footerLinks ?? []).map(renderLink).join('');
  return `<!doctype html>
<html lang="${HREFLANG[locale]}" dir="${textDirection(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(c.subject)}</title>
</head>
<body>
<main>
<h1>${escapeHtml(c.subject)}</h1>
<p>${escapeHtml(c.greeting)}</p>
<p>${escapeHtml(c.intro)}</p>
${list}${details}${links}${c.notes.map((n) => `<p>${escapeHtml(n)}</p>\n`).join('')}<p>${escapeHtml(c.closing)}<br>
${escapeHtml(c.signature)}</p>
</main>
<footer>
<p>${escapeHtml(c.footer)}</p>
${footerLinks}</footer>
</body>
</html>
`;
}

function htmlDetails(details: Detail[]): string {
  if (details.length === 0) return '';
  const rows = details.map((d) => {
    const more = d.more ? `<br>\n${escapeHtml(d.more)}` : '';
    const aside = d.aside ? ` <small>${escapeHtml(d.aside)}</small>` : '';
    return `<dt>${escapeHtml(d.label)}</dt>\n<dd>${renderDetailValue(d)}${aside}${more}</dd>`;
  });
  return `<dl>\n${rows.join('\n')}\n</dl>\n`;
}

function renderSection(s: Section): string {
  const tag = s.tag ? `<p><small>${escapeHtml(s.tag)}</small></p>\n` : '';
  return `<section>\n<h2>${escapeHtml(s.heading)}</h2>\n${tag}${htmlDetails(s.details)}${s.links.map(renderLink).join('')}</section>\n`;
}

function renderLink(link: Link): string {
  return `<p>${escapeHtml(link.text)}<br>\n<a href="${escapeHtml(link.url)}" dir="ltr">${escapeHtml(link.url)}</a></p>\n`;
}

function renderDetailValue(d: Detail): string {
  const dir = d.ltr ? ' dir="ltr"' : '';
  // A link's value is a phone number: kept on one line, as on the site (mail clients drop classes).
  if (d.href) return `<a href="${escapeHtml(d.href)}"${dir} style="white-space:nowrap">${escapeHtml(d.value)}</a>`;
  // Italian text inside another language: read as Italian, and not mirrored in an Arabic email.
  if (d.italian) return `<span lang="it" dir="${d.ltr ? 'ltr' : 'auto'}">${escapeHtml(d.value)}</span>`;
  return d.ltr ? `<span${dir}>${escapeHtml(d.value)}</span>` : escapeHtml(d.value);
}

/** The origin without a trailing slash, ready to prefix a path. */
export function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '');
}

/** An absolute link to a page of the site: the path comes from the route table (src/lib/paths.ts). */
export function siteUrl(origin: string, path: string): string {
  return `${trimOrigin(origin)}${path}`;
}
