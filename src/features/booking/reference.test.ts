import { describe, expect, it } from 'vitest';
import { REFERENCE_ALPHABET, generateReference, parseReference } from './reference.ts';

describe('references', () => {
  it('are QB-XXXX-XX in an unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const ref = generateReference();
      expect(ref).toMatch(/^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
      for (const c of ref.slice(3).replace('-', '')) expect(REFERENCE_ALPHABET).toContain(c);
    }
  });
  it('parse what people type', () => {
    expect(parseReference('qb 7k4m 2p')).toBe('QB-7K4M-2P');
    expect(parseReference('7K4M2P')).toBe('QB-7K4M-2P');
    expect(parseReference('QB-7K4M')).toBeUndefined();
  });
});
