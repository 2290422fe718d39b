// "Find the desk nearest to me" on the home page (issue #14): the same button as on the desks list
// (locate.tsx), but the home page lists no desks, so the island carries the few facts it sorts
// (name, address of its page, coordinates) and, once the position is known, shows the NEAREST
// closest with their distance; the desks page has them all. The position never leaves the browser.
import { useState } from 'preact/hooks';
import { byDistance } from '../nearest.ts';
import { Locate, distanceText, type LocateLabels } from './locate.tsx';

const NEAREST = 3;

/** A desk as the island needs it: [name, page address, latitude, longitude] (a short prop). */
export type PlacedDesk = [name: string, href: string, latitude: number, longitude: number];

interface Props {
  desks: PlacedDesk[];
  lang: string;
  labels: LocateLabels & { found: string };
}

export default function NearestDesksHome({ desks, lang, labels }: Props) {
  const [nearest, setNearest] = useState<[PlacedDesk, number | null][]>([]);
  const show = (from: GeolocationCoordinates) => {
    setNearest(byDistance(desks, from, ([, , latitude, longitude]) => ({ latitude, longitude })).slice(0, NEAREST));
    return labels.found;
  };
  return (
    <Locate labels={labels} onPosition={show}>
      {nearest.length > 0 && (
        <ol class="nearest-list">
          {nearest.map(([[name, href], distance]) => (
            <li key={href}>
              <a href={href}>{name}</a> {distance !== null && <span>{distanceText(lang, labels, distance)}</span>}
            </li>
          ))}
        </ol>
      )}
    </Locate>
  );
}
