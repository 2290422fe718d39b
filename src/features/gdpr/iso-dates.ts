// The export's JSON has every instant as an ISO string: one conversion for all its tables.

/** The row with each Date value as its ISO string; every other value as it is. */
export const isoDates = (row: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
