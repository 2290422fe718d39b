import { describe, expect, it } from 'vitest';
import { bookingPath, cancelByReferencePath, managePath, parseSlotValue, parseWeekValue, slotValue } from './flow.ts';

describe('booking flow values', () => {
  it('builds the step addresses with only the given query values', () => {
    expect(bookingPath('ar', 'gallaratese')).toBe('/ar/sportelli/gallaratese/prenota');
    expect(bookingPath('it', 'gallaratese', 'dettagli', { slot: '2026-12-02T13:00:00.000Z', topic: '' })).toBe(
      '/it/sportelli/gallaratese/prenota/dettagli?slot=2026-12-02T13%3A00%3A00.000Z',
    );
    expect(managePath('en', 'abc', { azione: 'sposta' })).toBe('/en/prenotazione/gestisci?token=abc&azione=sposta');
    expect(cancelByReferencePath('zh')).toBe('/zh/prenotazione/annulla');
  });

  it('round-trips slots and refuses anything else', () => {
    const start = new Date('2026-12-02T13:00:00Z');
    expect(parseSlotValue(slotValue(start))?.getTime()).toBe(start.getTime());
    for (const bad of ['', '2026-12-02', '2026-12-02T14:00:00+01:00', '2026-13-02T13:00:00Z', 42, null])
      expect(parseSlotValue(bad)).toBeUndefined();
    expect(parseWeekValue('2026-12-07')).toBe('2026-12-07');
    expect(parseWeekValue('2026-02-30')).toBeUndefined();
  });
});
