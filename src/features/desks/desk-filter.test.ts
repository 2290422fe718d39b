import { describe, expect, it } from 'vitest';
import { readDeskFilter } from './desk-filter.ts';

describe('the desks list filter', () => {
  it('reads a municipio, a language and step-free access', () => {
    expect(readDeskFilter(new URLSearchParams('municipio=8&lingua=ar&senzagradini=1'))).toEqual({
      municipioId: 8,
      language: 'ar',
      stepFree: true,
    });
  });

  it('ignores what it does not understand, so the list shows every desk', () => {
    expect(readDeskFilter(new URLSearchParams('municipio=10&lingua=Arabic&senzagradini=yes'))).toEqual({});
    expect(readDeskFilter(new URLSearchParams('lingua=ar%27--'))).toEqual({});
  });
});
