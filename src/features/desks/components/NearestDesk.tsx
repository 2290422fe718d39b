// "Find the desk nearest to me" (issue #14) on the desks list, the site's first Preact island. It
// enhances the list that works without JavaScript: on click only, it asks the browser for the
// position (locate.tsx) and reorders the list's items (each carries its desk's data-lat/data-lon)
// by distance, writing the distance into each item. Without JavaScript, or without geolocation, it
// renders nothing and the municipio filter remains.
import { byDistance } from '../nearest.ts';
import { Locate, distanceText, type LocateLabels } from './locate.tsx';

interface Props {
  listId: string;
  lang: string;
  labels: LocateLabels & { sorted: string };
}

function coordinatesOf(item: HTMLElement) {
  const latitude = Number(item.dataset.lat);
  const longitude = Number(item.dataset.lon);
  return item.dataset.lat && item.dataset.lon ? { latitude, longitude } : null;
}

export default function NearestDesk({ listId, lang, labels }: Props) {
  const sortList = (from: GeolocationCoordinates) => {
    const list = document.getElementById(listId);
    if (!list) return labels.failed;
    for (const [item, distance] of byDistance([...list.children] as HTMLElement[], from, coordinatesOf)) {
      const slot = item.querySelector<HTMLElement>('[data-distance]');
      if (slot) slot.textContent = distance === null ? '' : distanceText(lang, labels, distance);
      list.append(item);
    }
    return labels.sorted;
  };
  return <Locate labels={labels} onPosition={sortList} />;
}
