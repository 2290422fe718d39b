import { describe, expect, it } from 'vitest';
import { byDistance, distanceKm } from './nearest.ts';

const duomo = { latitude: 45.4642, longitude: 9.19 };

describe('the nearest desk', () => {
  it('measures a known distance: Milan Duomo to Bergamo is about 46 km', () => {
    expect(distanceKm(duomo, { latitude: 45.6983, longitude: 9.6773 })).toBeCloseTo(46, 0);
  });

  it('sorts nearest first, desks without coordinates last in their order', () => {
    const desks = [
      { slug: 'none-1', at: null },
      { slug: 'far', at: { latitude: 45.5137, longitude: 9.1371 } },
      { slug: 'near', at: { latitude: 45.465, longitude: 9.19 } },
      { slug: 'none-2', at: null },
    ];
    const sorted = byDistance(desks, duomo, (d) => d.at);
    expect(sorted.map(([d]) => d.slug)).toEqual(['near', 'far', 'none-1', 'none-2']);
    expect(sorted[0]![1]).toBeLessThan(0.2);
    expect(sorted[2]![1]).toBeNull();
  });
});
