// The rule behind the staff home's warning that a desk's places are going unusually fast (issue
// #12): more than a third of a week's places taken in the last hour. A week's places are what the
// desk's weekly hours offer (slots × places per slot, before holidays and closures): the desk's
// usual supply, which a family booking for itself never takes a third of in one hour. Pure; the
// counts come from fast-desks.ts.
import type { OpeningHours } from '#/features/desks/desks.ts';

/** How far back "taken" looks. */
export const FAST_WINDOW_MINUTES = 60;
/** More than this share of a week's places in the window is unusual. */
export const FAST_SHARE = 1 / 3;

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** The places a desk offers in an ordinary week: each opening's whole slots, times the places per slot. */
export function weeklyPlaces(desk: { hours: OpeningHours[]; slotMinutes: number; capacityPerSlot: number }): number {
  if (desk.slotMinutes <= 0) return 0;
  const slots = desk.hours.reduce(
    (sum, h) => sum + Math.max(0, Math.floor((minutesOf(h.closes) - minutesOf(h.opens)) / desk.slotMinutes)),
    0,
  );
  return slots * desk.capacityPerSlot;
}

/**
 * True when `taken` (places taken in the last FAST_WINDOW_MINUTES: bookings and live holds) is
 * more than FAST_SHARE of `weekly`. A desk that offers nothing never warns.
 */
export function placesGoingFast(taken: number, weekly: number): boolean {
  // Compared as integers (taken × 3 > weekly) so that a third is exact.
  return weekly > 0 && taken * Math.round(1 / FAST_SHARE) > weekly;
}
