// "Find the desk nearest to me" (issue #14): the distance from the reader's position to each desk,
// computed in the browser from the coordinates already in the page; the position is never sent.
import type { Coordinates } from './map-links.ts';
import type { Translate } from '#/lib/i18n.ts';

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine) in kilometres. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Items in order of distance from `from`; those without coordinates keep their order, last. */
export function byDistance<T>(
  items: T[],
  from: Coordinates,
  at: (item: T) => Coordinates | null,
): [T, number | null][] {
  const measured = items.map((item): [T, number | null] => {
    const place = at(item);
    return [item, place ? distanceKm(from, place) : null];
  });
  return measured
    .map((m, i) => ({ m, i }))
    .sort((x, y) => (x.m[1] ?? Infinity) - (y.m[1] ?? Infinity) || x.i - y.i)
    .map(({ m }) => m);
}

/** The labels of the "nearest desk" islands (locate.tsx), the distance's {{km}} left for the browser. */
export function nearestLabels(t: Translate) {
  return {
    button: t('desks.nearest.button'),
    privacy: t('desks.nearest.privacy'),
    failed: t('desks.nearest.failed'),
    distance: t('desks.nearest.distance', { km: '{{km}}', interpolation: { escapeValue: false } }),
  };
}
