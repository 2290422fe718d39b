// The Markdown partners may write in event descriptions: markdown-it (CommonMark) cut down to a
// small, safe subset by an allow-list of its rules. Paragraphs (a blank line between them), line
// breaks (a single newline), **bold** and *italic* (also __ and _), bullet lists ("- ", "* ", "+ ")
// and numbered lists ("1. ", "1) "), backslash escapes, and links [text](url) for http:, https:,
// mailto: and tel: only (safeHref). Everything else — raw HTML, entities, headings, quotes, code,
// images, tables, autolinks, reference links — is not parsed and reaches the page as escaped text,
// so no tag, attribute, entity or URL scheme a partner types can become active. The renderer writes
// only <p>, <br>, <strong>, <em>, <ul>, <ol start>, <li> and <a href rel>. Pure.
import MarkdownIt, { type Token } from 'markdown-it';
import { escapeHtml } from '#/lib/text.ts';

export { escapeHtml };

// C0 controls except tab and newline, DEL, C1 controls, and the Unicode line/paragraph separators
// (which some parsers treat as newlines) never reach the page.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/g;

/**
 * The URL of a link, if it is one we allow: http(s) with a host, mailto with an address, tel with
 * a number. Anything else (javascript:, data:, vbscript:, relative or protocol-relative URLs,
 * whitespace, quotes or control characters anywhere) is refused and the link stays text. It sees
 * the URL after markdown-it decoded its escapes and entities, so "&#58;" is already ":" here.
 */
export function safeHref(url: string): string | undefined {
  if (url.length > 2000 || /[\s\u0000-\u001F\u007F-\u009F<>"'`\\]/.test(url)) return undefined;
  if (/^https?:\/\/[^/?#@:]+(?::\d{1,5})?(?:[/?#][^]*)?$/i.test(url)) return url;
  if (/^mailto:[^@/?#:]+@[^@/?#:]+\.[^@/?#:]+(?:\?[^]*)?$/i.test(url)) return url;
  if (/^tel:\+?[0-9][0-9().-]*$/i.test(url)) return url;
  return undefined;
}

const md = new MarkdownIt('commonmark', {
  html: false,
  xhtmlOut: false,
  breaks: true,
  linkify: false,
  typographer: false,
});
// The allow-list: only these rules run (text, newline, escape and the paragraph are always on).
md.core.ruler.enableOnly(['normalize', 'block', 'inline', 'text_join']);
md.block.ruler.enableOnly(['list', 'paragraph']);
md.inline.ruler.enableOnly(['text', 'newline', 'escape', 'link', 'emphasis']);
md.inline.ruler2.enableOnly(['balance_pairs', 'emphasis', 'fragments_join']);
// URLs are checked as typed (after escapes and entities are decoded) and written as they are,
// escaped for the attribute; markdown-it's own normalizer would percent-encode them first.
md.normalizeLink = (url) => url;
md.validateLink = (url) => safeHref(url) !== undefined;

const rules = md.renderer.rules;
rules.text = (tokens, i) => escapeHtml(tokens[i]!.content);
// An empty destination ("[x]()") passes markdown-it's link rule without validateLink: it stays text.
rules.link_open = (tokens, i) => {
  const href = safeHref(String(tokens[i]!.attrGet('href') ?? ''));
  return href === undefined ? '[' : `<a href="${escapeHtml(href)}" rel="nofollow noopener">`;
};
rules.link_close = (tokens, i) => {
  const open = findOpen(tokens, i);
  return open && safeHref(String(open.attrGet('href') ?? '')) === undefined ? ']()' : '</a>';
};

/** The link_open a link_close closes (links never nest). */
function findOpen(tokens: Token[], close: number): Token | undefined {
  for (let i = close - 1; i >= 0; i--) if (tokens[i]!.type === 'link_open') return tokens[i];
  return undefined;
}

const clean = (source: string) => source.replace(/\r\n?/g, '\n').replace(CONTROLS, '');

/** Markdown source (as a partner typed it) → safe HTML. */
export function renderMarkdown(source: string): string {
  return md.render(clean(source)).replace(/\n$/, '');
}

/** The same source as plain text (for places that show no markup): link targets kept in brackets. */
export function markdownToPlainText(source: string): string {
  let text = '';
  const lists: { ordered: boolean; next: number }[] = [];
  let prefix = '';
  let listStarts = false;
  for (const token of md.parse(clean(source), {})) {
    if (token.type === 'bullet_list_open' || token.type === 'ordered_list_open') {
      listStarts ||= !lists.length;
      lists.push({ ordered: token.type === 'ordered_list_open', next: Number(token.attrGet('start') ?? 1) });
    } else if (token.type === 'bullet_list_close' || token.type === 'ordered_list_close') {
      lists.pop();
    } else if (token.type === 'list_item_open') {
      const list = lists[lists.length - 1]!;
      prefix = '  '.repeat(lists.length - 1) + (list.ordered ? `${list.next++}. ` : '- ');
    } else if (token.type === 'inline') {
      // Paragraphs and lists with a blank line between them, list items one a line.
      if (text) text += lists.length && !listStarts ? '\n' : '\n\n';
      listStarts = false;
      text += prefix + inlineText(token.children ?? []);
      prefix = '';
    }
  }
  return text;
}

function inlineText(children: Token[]): string {
  let text = '';
  let href: string | undefined;
  for (const child of children) {
    if (child.type === 'text') text += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') text += '\n';
    else if (child.type === 'link_open') {
      href = safeHref(String(child.attrGet('href') ?? ''));
      if (href === undefined) text += '[';
    } else if (child.type === 'link_close') text += href === undefined ? ']()' : ` (${href})`;
  }
  return text;
}
