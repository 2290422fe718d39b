import { describe, expect, it } from 'vitest';
import { describedBy, fieldAria } from './aria.ts';

describe('describedBy', () => {
  it('joins the ids given and leaves the attribute out when there is none', () => {
    expect(describedBy('a-hint', 'a-error')).toBe('a-hint a-error');
    expect(describedBy('a-hint', false, undefined)).toBe('a-hint');
    expect(describedBy(false, undefined, '')).toBeUndefined();
  });
});

describe('fieldAria', () => {
  it('points to the hint and the error there are, and marks the field invalid only with an error', () => {
    expect(fieldAria('seats', 'How many', 'Write a number')).toEqual({
      'aria-describedby': 'seats-hint seats-error',
      'aria-invalid': 'true',
    });
    expect(fieldAria('seats', 'How many', undefined)).toEqual({
      'aria-describedby': 'seats-hint',
      'aria-invalid': undefined,
    });
    expect(fieldAria('venue', '', 'Too long')).toEqual({ 'aria-describedby': 'venue-error', 'aria-invalid': 'true' });
    expect(fieldAria('venue', undefined, '')).toEqual({ 'aria-describedby': undefined, 'aria-invalid': undefined });
  });
});
