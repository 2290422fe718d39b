// Short references people can read out on the phone (QB-7K4M-2P, pledges ZS-…): their alphabet,
// without 0/O and 1/I/L, and reading what people type. Making one is the booking feature's
// (src/features/booking/reference.ts).

export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Accepts what people type: lower case, spaces, missing dashes, O for 0 … → canonical form or undefined. */
export function parseReference(raw: string, prefix = 'QB'): string | undefined {
  const compact = raw
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(new RegExp(`^${prefix}`), '');
  if (!/^[A-Z0-9]{6}$/.test(compact)) return undefined;
  return `${prefix}-${compact.slice(0, 4)}-${compact.slice(4)}`;
}
