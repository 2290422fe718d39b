import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeHtml, markdownToPlainText, renderMarkdown, safeHref } from './markdown.ts';

// Every tag the renderer may write; anything else starting with "<" would be a leak.
const ALLOWED_TAG = /^<(?:\/?(?:p|strong|em|ul|ol|li|a)|br|ol start="\d+"|a href="[^"<>]*" rel="nofollow noopener")>/;

function expectInert(html: string): void {
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i + 1)) {
    expect(html.slice(i, i + 200), html).toMatch(ALLOWED_TAG);
  }
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  for (const m of html.matchAll(/href="([^"]*)"/g)) {
    const decoded = m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    expect(decoded, html).toMatch(/^(https?:\/\/|mailto:|tel:)/i);
  }
  expect(html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
}

const XSS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<img src=x onerror=alert(1)>',
  '<img src="x" onerror="alert(1)">',
  '<body onload=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:text/html,<script>alert(1)</script>">',
  '<style>@import "javascript:alert(1)";</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<a href="javascript:alert(1)">x</a>',
  '<details open ontoggle=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x]( javascript:alert(1))',
  '[x](javascript&#58;alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript:alert(1))',
  '[x](java\tscript:alert(1))',
  '[x](java&#09;script:alert(1))',
  '[x](jav&#x0A;ascript:alert(1))',
  '[x](\u0001javascript:alert(1))',
  '[x](javascript://%0aalert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](//evil.example)',
  '[x](/\\evil.example)',
  '[x](\\\\evil.example)',
  '[x](./javascript:alert(1))',
  '[x](https://ok.example" onclick="alert(1))',
  '[x](https://ok.example"onmouseover="alert(1))',
  '[x](https://ok.example/"><script>alert(1)</script>)',
  "[x](https://ok.example/'onmouseover='alert(1))",
  '[<img src=x onerror=alert(1)>](https://ok.example)',
  '[x](https://ok.example/<svg/onload=alert(1)>)',
  '[[x](javascript:alert(1))](https://ok.example)',
  '[x]([y](javascript:alert(1)))',
  '[a](https://ok.example)[b](javascript:alert(1))',
  '**<script>alert(1)</script>**',
  '*<img src=x onerror=alert(1)>*',
  '- <script>alert(1)</script>\n- [x](javascript:alert(1))',
  '1. <svg onload=alert(1)>\n2. [x](data:text/html,x)',
  '\\<script>alert(1)\\</script>',
  '\\[x\\](javascript:alert(1))',
  '\uE03C\uE073cript\uE03Ealert(1)',
  '<scr\u0000ipt>alert(1)</script>',
  'x\u2028<script>alert(1)</script>',
  '<a href="https://ok.example" onclick="alert(1)">x</a>',
  '[x](https://ok.example#"onclick="alert(1))',
  '[x](mailto:a@b.example?subject="><script>alert(1)</script>)',
  '[x](tel:+39"onclick="alert(1))',
  '<<script>script>alert(1)<</script>/script>',
  '<img src=`x` onerror=`alert(1)`>',
  'javascript:alert(1)',
  '<a href=javascript&colon;alert(1)>x</a>',
];

describe('renderMarkdown renders XSS payloads inert', () => {
  it.each(XSS)('%s', (payload) => {
    const html = renderMarkdown(payload);
    expectInert(html);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<style');
  });

  it('keeps every payload readable as text', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
    expect(renderMarkdown('&#60;b&#62;')).toBe('<p>&amp;#60;b&amp;#62;</p>');
  });

  it('whatever the input, writes only its own tags (property)', () => {
    const pieces = fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '&',
      '*',
      '**',
      '[',
      ']',
      '(',
      ')',
      '\\',
      '\n',
      '\n\n',
      '- ',
      '1. ',
      ' ',
      'javascript:',
      'https://a.example',
      'mailto:',
      'on',
      'error=',
      'script',
      'x',
      '#',
      '\u0000',
      '\uE02A',
      '\t',
      '  ',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => {
        expectInert(renderMarkdown(parts.join('')));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => expectInert(renderMarkdown(s))),
      { numRuns: 1000 },
    );
  });
});

describe('renderMarkdown formats the subset', () => {
  it('paragraphs and line breaks', () => {
    expect(renderMarkdown('Uno\ndue\r\n\r\nTre')).toBe('<p>Uno<br>\ndue</p>\n<p>Tre</p>');
    expect(renderMarkdown('')).toBe('');
    expect(renderMarkdown('  \n\n ')).toBe('');
  });

  it('bold and italic', () => {
    expect(renderMarkdown('**Ingresso** libero, *per tutti*')).toBe(
      '<p><strong>Ingresso</strong> libero, <em>per tutti</em></p>',
    );
    expect(renderMarkdown('**grassetto con *corsivo***')).toBe(
      '<p><strong>grassetto con <em>corsivo</em></strong></p>',
    );
    expect(renderMarkdown('**a** e **b**')).toBe('<p><strong>a</strong> e <strong>b</strong></p>');
    expect(renderMarkdown('2 * 3 * 4')).toBe('<p>2 * 3 * 4</p>');
    expect(renderMarkdown('\\*non corsivo\\*')).toBe('<p>*non corsivo*</p>');
  });

  it('bullet and numbered lists, with continuation lines', () => {
    expect(renderMarkdown('Porta:\n- merenda\n- giochi\n  da tavolo\n\n1. primo\n2. secondo')).toBe(
      '<p>Porta:</p>\n<ul>\n<li>merenda</li>\n<li>giochi<br>\nda tavolo</li>\n</ul>\n<ol>\n<li>primo</li>\n<li>secondo</li>\n</ol>',
    );
    expect(renderMarkdown('3) terzo\n4) quarto')).toBe('<ol start="3">\n<li>terzo</li>\n<li>quarto</li>\n</ol>');
    expect(renderMarkdown('Nel\n2026. un anno')).toBe('<p>Nel<br>\n2026. un anno</p>');
  });

  it('links for http, https, mailto and tel only', () => {
    expect(renderMarkdown('[Sito](https://www.comune.milano.it/qubi?x=1&y=2)')).toBe(
      '<p><a href="https://www.comune.milano.it/qubi?x=1&amp;y=2" rel="nofollow noopener">Sito</a></p>',
    );
    expect(renderMarkdown('[Scrivi](mailto:rete@qubi.example.org)')).toContain(
      '<a href="mailto:rete@qubi.example.org" rel="nofollow noopener">Scrivi</a>',
    );
    expect(renderMarkdown('[Chiama](tel:+390212345)')).toContain(
      '<a href="tel:+390212345" rel="nofollow noopener">Chiama</a>',
    );
    expect(renderMarkdown('[Wiki](https://it.wikipedia.org/wiki/Milano_(citt%C3%A0))')).toContain(
      'href="https://it.wikipedia.org/wiki/Milano_(citt%C3%A0)"',
    );
    expect(renderMarkdown('[**Grassetto**](http://a.example)')).toContain(
      '<a href="http://a.example" rel="nofollow noopener"><strong>Grassetto</strong></a>',
    );
    expect(renderMarkdown('[rel](/it/eventi)')).toBe('<p>[rel](/it/eventi)</p>');
    expect(renderMarkdown('[vuoto]()')).toBe('<p>[vuoto]()</p>');
    expect(renderMarkdown('[Sito](https://a.example "titolo")')).toBe(
      '<p><a href="https://a.example" rel="nofollow noopener">Sito</a></p>',
    );
  });

  it('leaves every other Markdown construct as text', () => {
    expect(renderMarkdown('# Titolo\n\n> citazione\n\n    codice')).toBe(
      '<p># Titolo</p>\n<p>&gt; citazione</p>\n<p>codice</p>',
    );
    expect(renderMarkdown('`x` <https://a.example> ~~no~~ ---')).toBe(
      '<p>`x` &lt;https://a.example&gt; ~~no~~ ---</p>',
    );
    expect(renderMarkdown('Titolo\n===')).toBe('<p>Titolo<br>\n===</p>');
    expect(renderMarkdown('[a]: https://a.example\n\n[a]')).toBe('<p>[a]: https://a.example</p>\n<p>[a]</p>');
  });

  it('safeHref refuses everything but the four schemes', () => {
    for (const ok of ['https://a.example', 'HTTP://A.EXAMPLE/x', 'mailto:a@b.example', 'tel:+39 02'.replace(' ', '')])
      expect(safeHref(ok)).toBe(ok);
    for (const bad of [
      'javascript:alert(1)',
      ' https://a.example',
      'https://',
      'https:///x',
      '//a.example',
      'ftp://a.example',
      'mailto:nobody',
      'tel:abc',
      'https://a.example/"x',
      'https://user@evil.example',
    ])
      expect(safeHref(bad)).toBeUndefined();
  });

  it('stays fast on hostile input', () => {
    const start = performance.now();
    renderMarkdown('**a '.repeat(5000) + '*b '.repeat(5000) + '[x'.repeat(3000) + ']('.repeat(3000));
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('markdownToPlainText', () => {
  it('drops the markup and keeps link targets', () => {
    expect(markdownToPlainText('**Festa** *per tutti*: [sito](https://a.example) [no](javascript:x)')).toBe(
      'Festa per tutti: sito (https://a.example) [no](javascript:x)',
    );
  });

  it('keeps paragraphs and list items apart, escapes given back', () => {
    expect(markdownToPlainText('Porta:\n- merenda\n- giochi\n\n3. terzo\n4. quarto\n\nFine \\*davvero\\*')).toBe(
      'Porta:\n\n- merenda\n- giochi\n\n3. terzo\n4. quarto\n\nFine *davvero*',
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
