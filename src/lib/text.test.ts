import { describe, expect, it } from 'vitest';
import { escapeHtml, slugify } from './text.ts';

describe('escapeHtml', () => {
  it('escapes the five characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('città è già')).toBe('città è già');
  });
});

describe('slugify', () => {
  it('keeps ASCII letters and digits, drops accents, joins the rest with single hyphens', () => {
    expect(slugify('Festa di Natale, città!')).toBe('festa-di-natale-citta');
    expect(slugify('  --Casa dei Giochi--  ')).toBe('casa-dei-giochi');
    expect(slugify('音乐')).toBe('');
  });
});
