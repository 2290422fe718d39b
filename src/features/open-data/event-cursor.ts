// The events API's `cursor`: where the next page starts, as the last event of a page (its start
// and id, the list's order) and the `from` the first page was asked with. Keyset paging: an event
// added or removed meanwhile never makes another appear twice or go missing.
import { Buffer } from 'node:buffer';

export interface EventCursor {
  from: Date;
  after: { startsAt: Date; id: number };
}

export function encodeEventCursor(cursor: EventCursor): string {
  const text = `${cursor.from.getTime()}.${cursor.after.startsAt.getTime()}.${cursor.after.id}`;
  return Buffer.from(text).toString('base64url');
}

/** The cursor, or undefined when the text is not one this server made. */
export function decodeEventCursor(value: string): EventCursor | undefined {
  const m = /^(\d{1,15})\.(\d{1,15})\.(\d{1,10})$/.exec(Buffer.from(value, 'base64url').toString('latin1'));
  if (!m) return undefined;
  const [from, start, id] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!Number.isSafeInteger(id) || id > 2 ** 31 - 1) return undefined;
  return { from: new Date(from), after: { startsAt: new Date(start), id } };
}
