import { describe, expect, it } from 'vitest';
import { describedBy } from './aria.ts';

describe('describedBy', () => {
  it('joins the ids given and leaves the attribute out when there is none', () => {
    expect(describedBy('a-hint', 'a-error')).toBe('a-hint a-error');
    expect(describedBy('a-hint', false, undefined)).toBe('a-hint');
    expect(describedBy(false, undefined, '')).toBeUndefined();
  });
});
