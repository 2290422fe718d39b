// What the two "nearest desk" islands share (issue #14): the button that asks the browser for the
// position, on a click only, its privacy note and the status line that says what happened. The
// position is handed to the island's own callback and goes nowhere else: nothing is sent or stored.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface LocateLabels {
  button: string;
  privacy: string;
  failed: string;
  /** "{{km}} km away": the distance written beside a desk. */
  distance: string;
}

/** "1,2 km away" in the page's language. */
export function distanceText(lang: string, labels: LocateLabels, km: number): string {
  return labels.distance.replace('{{km}}', new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(km));
}

interface Props {
  labels: LocateLabels;
  /** Called with the position; returns what the status line says then. */
  onPosition: (coords: GeolocationCoordinates) => string;
  children?: ComponentChildren;
}

/**
 * The button and its status. Rendered on the server too, so that it is in its place when the page
 * first paints and nothing moves when the island wakes up (a layout shift); the stylesheet keeps it
 * invisible until then (astro-island[ssr]), so no press is lost, and hides it without JavaScript
 * (@media (scripting: none)); without geolocation it goes once awake: the municipio filter remains.
 */
export function Locate({ labels, onPosition, children }: Props) {
  const [ready, setReady] = useState(true);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  useEffect(() => setReady('geolocation' in navigator), []);
  if (!ready) return null;
  const locate = () => {
    if (busy) return;
    setBusy(true);
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        setStatus(onPosition(coords));
        setBusy(false);
      },
      () => {
        setStatus(labels.failed);
        setBusy(false);
      },
      { maximumAge: 600_000, timeout: 20_000 },
    );
  };
  return (
    <div class="nearest">
      <button type="button" class="btn" onClick={locate} aria-disabled={busy}>
        {labels.button}
      </button>
      <p class="hint">{labels.privacy}</p>
      <p role="status">{status}</p>
      {children}
    </div>
  );
}
