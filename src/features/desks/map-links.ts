// Links that open a desk's place in a map, without the page loading anything from another origin:
// OpenStreetMap's own page with a marker, and a geo: URI (RFC 5870) that a phone hands to its map app.
export interface Coordinates {
  latitude: number;
  longitude: number;
}

const fixed = (n: number) => n.toFixed(5).replace(/\.?0+$/, '');

export function openStreetMapUrl({ latitude, longitude }: Coordinates, zoom = 18): string {
  const lat = fixed(latitude);
  const lon = fixed(longitude);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=${zoom}/${lat}/${lon}`;
}

/** geo:lat,lon?q=lat,lon(label): the label names the pin in the map apps that read it (Android's). */
export function geoUri({ latitude, longitude }: Coordinates, label: string): string {
  const at = `${fixed(latitude)},${fixed(longitude)}`;
  return `geo:${at}?q=${at}(${encodeURIComponent(label)})`;
}
