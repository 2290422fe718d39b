// CSV for spreadsheets: RFC 4180 (comma-separated, CRLF line ends, fields with a comma, a quote or
// a line break between double quotes, quotes doubled), a UTF-8 byte order mark so that Excel reads
// accents and non-Latin names correctly, and protection against formula injection: a text cell that
// starts with = + - @ TAB or CR is prefixed with an apostrophe, so a spreadsheet shows it as text
// instead of running it (OWASP "CSV injection"). Names and notes are typed by the public.

export type CsvValue = string | number | null | undefined;

export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\r\n]/;

/**
 * The field separator. A spreadsheet in Italian (Excel, LibreOffice with an Italian locale) reads
 * a comma as the decimal mark and splits CSV files on `;`: the staff exports for Italian offices
 * pass `ITALIAN_CSV`, and a cell holding either character is quoted whichever is used.
 */
export type CsvSeparator = ',' | ';';
export const ITALIAN_CSV = { separator: ';' } as const;

/** One cell: numbers as they are, text neutralised and quoted when needed, empty for null. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: the header row, then the rows; CRLF after every record; BOM first unless asked not to. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly CsvValue[])[],
  options: { bom?: boolean; separator?: CsvSeparator } = {},
): string {
  const separator = options.separator ?? ',';
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(separator) + '\r\n');
  return (options.bom === false ? '' : UTF8_BOM) + lines.join('');
}
