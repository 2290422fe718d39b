import { describe, expect, it } from 'vitest';
import { parseSlotValue, parseWeekValue, slotValue } from './flow.ts';

describe('booking flow values', () => {
  it('round-trips slots and refuses anything else', () => {
    const start = new Date('2026-12-02T13:00:00Z');
    expect(parseSlotValue(slotValue(start))?.getTime()).toBe(start.getTime());
    for (const bad of ['', '2026-12-02', '2026-12-02T14:00:00+01:00', '2026-13-02T13:00:00Z', 42, null])
      expect(parseSlotValue(bad)).toBeUndefined();
    expect(parseWeekValue('2026-12-07')).toBe('2026-12-07');
    expect(parseWeekValue('2026-02-30')).toBeUndefined();
  });
});
