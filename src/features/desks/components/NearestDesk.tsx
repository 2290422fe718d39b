// "Find the desk nearest to me" (issue #14), the site's first Preact island. It enhances the desks
// list that works without JavaScript: on click only, it asks the browser for the position and
// reorders the list's items (each carries its desk's data-lat/data-lon) by distance, writing the
// distance into each item. The position stays in the browser: nothing is sent or stored. Without
// JavaScript, or without geolocation, it renders nothing and the municipio filter remains.
import { useEffect, useState } from 'preact/hooks';
import { byDistance } from '../nearest.ts';

interface Props {
  listId: string;
  lang: string;
  labels: { button: string; privacy: string; sorted: string; failed: string; distance: string };
}

function coordinatesOf(item: HTMLElement) {
  const latitude = Number(item.dataset.lat);
  const longitude = Number(item.dataset.lon);
  return item.dataset.lat && item.dataset.lon ? { latitude, longitude } : null;
}

function sortList(list: HTMLElement, from: GeolocationCoordinates, props: Props) {
  const km = new Intl.NumberFormat(props.lang, { maximumFractionDigits: 1 });
  for (const [item, distance] of byDistance([...list.children] as HTMLElement[], from, coordinatesOf)) {
    const slot = item.querySelector<HTMLElement>('[data-distance]');
    if (slot) slot.textContent = distance === null ? '' : props.labels.distance.replace('{{km}}', km.format(distance));
    list.append(item);
  }
}

export default function NearestDesk(props: Props) {
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  useEffect(() => setReady('geolocation' in navigator), []);
  if (!ready) return null;
  const locate = () => {
    const list = document.getElementById(props.listId);
    if (!list) return;
    setBusy(true);
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        sortList(list, coords, props);
        setStatus(props.labels.sorted);
        setBusy(false);
      },
      () => {
        setStatus(props.labels.failed);
        setBusy(false);
      },
      { maximumAge: 600_000, timeout: 20_000 },
    );
  };
  return (
    <div class="nearest">
      <button type="button" class="btn" onClick={locate} aria-disabled={busy}>
        {props.labels.button}
      </button>
      <p class="hint">{props.labels.privacy}</p>
      <p role="status">{status}</p>
    </div>
  );
}
