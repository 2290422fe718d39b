// The Markdown partners may write in event descriptions: a small, safe subset written here, with
// no dependency. Paragraphs (a blank line between them), line breaks (a single newline), **bold**,
// *italic*, bullet lists ("- ", "* ", "+ ") and numbered lists ("1. ", "1) "), and links
// [text](url) for http:, https:, mailto: and tel: only. Nothing else is markup: every character of
// the source reaches the page as text, escaped, so no tag, attribute, entity or URL scheme a partner
// types can become active. The output is built only from the fixed tags below plus escaped text,
// so it is always well formed. Pure.

/** Characters a backslash can make literal: "\*" is a star, not emphasis. */
const ESCAPABLE = '\\`*_{}[]()#+-.!<>';
// Private-use code points stand for escaped characters while the inline rules run; partners'
// own private-use characters in that range are dropped first, so nothing can forge one.
const PLACEHOLDER_BASE = 0xe000;
const PLACEHOLDERS = /[\uE000-\uE07F]/g;

// C0 controls except tab and newline, DEL, C1 controls, and the Unicode line/paragraph separators
// (which some parsers treat as newlines) never reach the page.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function hideEscapes(text: string): string {
  return text.replace(/\\([\s\S])/g, (match, c: string) =>
    ESCAPABLE.includes(c) ? String.fromCharCode(PLACEHOLDER_BASE + c.charCodeAt(0)) : match,
  );
}

function restoreEscapes(text: string): string {
  return text.replace(PLACEHOLDERS, (c) => String.fromCharCode(c.charCodeAt(0) - PLACEHOLDER_BASE));
}

/** Text as HTML: escaped, with backslash-escaped characters given back as themselves. */
const textHtml = (text: string) => escapeHtml(restoreEscapes(text));

/**
 * The URL of a link, if it is one we allow: http(s) with a host, mailto with an address, tel with
 * a number. Anything else (javascript:, data:, vbscript:, relative or protocol-relative URLs,
 * entities, whitespace or control characters anywhere) is refused and the link stays text.
 */
export function safeHref(raw: string): string | undefined {
  const url = restoreEscapes(raw);
  if (url.length > 2000 || /[\s\u0000-\u001F\u007F-\u009F<>"'`\\]/.test(url)) return undefined;
  if (/^https?:\/\/[^/?#@:]+(?::\d{1,5})?(?:[/?#][^]*)?$/i.test(url)) return url;
  if (/^mailto:[^@/?#:]+@[^@/?#:]+\.[^@/?#:]+(?:\?[^]*)?$/i.test(url)) return url;
  if (/^tel:\+?[0-9][0-9().-]*$/i.test(url)) return url;
  return undefined;
}

// [text](url): the text holds no brackets (so links never nest); the URL holds no whitespace and at
// most one level of balanced parentheses (Wikipedia-style addresses).
const LINK = /\[([^[\]\n]+)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)/g;
// Emphasis opens and closes next to non-space characters, within one line.
// A closing "**" followed by a third star closes after it, so "**bold *italic***" nests.
const STRONG = /\*\*(?=[^\s*])([^\n]*?[^\s])\*\*(?!\*)/g;
const EM = /\*(?=[^\s*])([^*\n]*?[^\s*])\*/g;

function replacePieces(
  text: string,
  pattern: RegExp,
  outside: (s: string) => string,
  inside: (m: RegExpExecArray) => string | undefined,
): string {
  let html = '';
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const replaced = inside(m);
    if (replaced === undefined) continue;
    html += outside(text.slice(last, m.index)) + replaced;
    last = m.index + m[0].length;
  }
  return html + outside(text.slice(last));
}

const italic = (text: string) => replacePieces(text, EM, textHtml, (m) => `<em>${textHtml(m[1]!)}</em>`);
const emphasis = (text: string) => replacePieces(text, STRONG, italic, (m) => `<strong>${italic(m[1]!)}</strong>`);

/** One line of inline Markdown (escapes already hidden) as HTML. */
function inline(text: string): string {
  return replacePieces(text, LINK, emphasis, (m) => {
    const href = safeHref(m[2]!);
    // A refused link is left in the text around it: shown as typed, brackets and all.
    return href === undefined
      ? undefined
      : `<a href="${escapeHtml(href)}" rel="nofollow noopener">${emphasis(m[1]!)}</a>`;
  });
}

type Block = { kind: 'p'; lines: string[] } | { kind: 'ul' | 'ol'; items: string[][]; start: number };

const BULLET = /^ {0,3}[-*+][ \t]+(\S.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)][ \t]+(\S.*)$/;
const CONTINUATION = /^(?: {2,}|\t)(\S.*)$/;

/** Markdown source (as a partner typed it) → safe HTML. */
export function renderMarkdown(source: string): string {
  const text = hideEscapes(source.replace(PLACEHOLDERS, '').replace(/\r\n?/g, '\n').replace(CONTROLS, ''));
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      current = undefined;
      continue;
    }
    const bullet = BULLET.exec(line);
    let ordered = bullet ? null : ORDERED.exec(line);
    // As in CommonMark, only "1." starts a numbered list in the middle of a paragraph, so a line
    // such as "2026. Un anno…" stays text.
    if (ordered && current?.kind === 'p' && ordered[1] !== '1') ordered = null;
    if (bullet || ordered) {
      const kind = bullet ? 'ul' : 'ol';
      const content = (bullet ?? ordered)![bullet ? 1 : 2]!;
      if (current?.kind !== kind) {
        current = { kind, items: [], start: ordered ? Number(ordered[1]) : 1 };
        blocks.push(current);
      }
      current.items.push([content]);
      continue;
    }
    const continuation = CONTINUATION.exec(line);
    if (current && current.kind !== 'p' && continuation) {
      current.items[current.items.length - 1]!.push(continuation[1]!);
      continue;
    }
    if (current?.kind !== 'p') {
      current = { kind: 'p', lines: [] };
      blocks.push(current);
    }
    current.lines.push(line.trim());
  }
  const lines = (ls: string[]) => ls.map((l) => inline(l.trim())).join('<br>\n');
  return blocks
    .map((b) => {
      if (b.kind === 'p') return `<p>${lines(b.lines)}</p>`;
      const start = b.kind === 'ol' && b.start !== 1 ? ` start="${b.start}"` : '';
      return `<${b.kind}${start}>\n${b.items.map((item) => `<li>${lines(item)}</li>`).join('\n')}\n</${b.kind}>`;
    })
    .join('\n');
}

/** The same source as plain text (for places that show no markup): link targets kept in brackets. */
export function markdownToPlainText(source: string): string {
  const text = hideEscapes(source.replace(PLACEHOLDERS, '').replace(/\r\n?/g, '\n').replace(CONTROLS, ''));
  return restoreEscapes(
    text
      .replace(LINK, (all, label: string, url: string) => (safeHref(url) ? `${label} (${restoreEscapes(url)})` : all))
      .replace(STRONG, '$1')
      .replace(EM, '$1'),
  );
}
