import { describe, expect, it } from 'vitest';
import { readAloudPhone } from './read-aloud-phone.ts';
import { telHref } from '#/lib/format.ts';

describe('readAloudPhone', () => {
  it('groups a number as its country writes it, and dials the same number', () => {
    expect(readAloudPhone('+393331234567')).toBe('+39 333 123 4567');
    expect(readAloudPhone('+390212345678')).toBe('+39 02 1234 5678');
    expect(readAloudPhone('+442079460958')).toBe('+44 20 7946 0958');
    expect(telHref(readAloudPhone('+393331234567'))).toBe('tel:+393331234567');
  });

  it('shows a value it cannot read as it is', () => {
    expect(readAloudPhone('12')).toBe('12');
  });
});
