// The HTML booking flow's addresses and form values. Only non-personal choices (the slot, the
// week) ever appear in these URLs; names, contacts and notes travel in POST bodies.
import { parseDateOnly } from '#/lib/time.ts';

/** A slot as it travels in forms and query strings: its start instant in UTC, ISO 8601. */
export function slotValue(start: Date): string {
  return start.toISOString();
}

export function parseSlotValue(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "YYYY-MM-DD" of a week asked for in the query string, or undefined when it is not a date. */
export function parseWeekValue(value: unknown): string | undefined {
  return typeof value === 'string' && parseDateOnly(value) ? value : undefined;
}
