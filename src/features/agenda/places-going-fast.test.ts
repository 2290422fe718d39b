import { describe, expect, it } from 'vitest';
import { placesGoingFast, weeklyPlaces } from './places-going-fast.ts';

const tuesdayMornings = {
  hours: [{ weekday: 2, opens: '10:00', closes: '13:00' }],
  slotMinutes: 30,
  capacityPerSlot: 1,
};

describe('a week’s places', () => {
  it('counts each opening’s whole slots times the places per slot', () => {
    expect(weeklyPlaces(tuesdayMornings)).toBe(6);
    expect(
      weeklyPlaces({
        hours: [
          { weekday: 1, opens: '09:00', closes: '12:00' },
          { weekday: 1, opens: '14:00', closes: '15:50' }, // 3 whole slots of 30 minutes, not 3.7
          { weekday: 4, opens: '09:30', closes: '10:00' },
        ],
        slotMinutes: 30,
        capacityPerSlot: 2,
      }),
    ).toBe((6 + 3 + 1) * 2);
  });

  it('is 0 for a desk without hours, or with an opening shorter than a slot', () => {
    expect(weeklyPlaces({ ...tuesdayMornings, hours: [] })).toBe(0);
    expect(weeklyPlaces({ ...tuesdayMornings, hours: [{ weekday: 3, opens: '10:00', closes: '10:20' }] })).toBe(0);
  });
});

describe('places going unusually fast', () => {
  it('warns past a third of the week, not at it', () => {
    expect(placesGoingFast(2, 6)).toBe(false);
    expect(placesGoingFast(3, 6)).toBe(true);
    expect(placesGoingFast(10, 30)).toBe(false);
    expect(placesGoingFast(11, 30)).toBe(true);
    expect(placesGoingFast(1, 2)).toBe(true);
  });

  it('never warns with nothing taken, or for a desk that offers nothing', () => {
    expect(placesGoingFast(0, 6)).toBe(false);
    expect(placesGoingFast(0, 0)).toBe(false);
    expect(placesGoingFast(5, 0)).toBe(false);
  });
});
