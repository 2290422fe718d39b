// The dashboard's tables for the programme's reports, with exactly the cells the page shows (the
// suppressed ones as "< 5"): CSV for Italian spreadsheets (";" between fields, a UTF-8 byte order
// mark, decimal comma in Italian) and ODS (OpenDocument, one sheet per section), zipped with fflate.
import { strToU8, zipSync } from 'fflate';
import { csvCell, UTF8_BOM } from '#/lib/csv.ts';
import type { StaffLocale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { FigureTable } from './dashboard-view.ts';

const NEEDS_QUOTES = /[;"\r\n]/;

/** A CSV cell for ";" files: the shared cell (formula-safe), quoted when it holds a ";". */
function cell(value: string): string {
  const safe = csvCell(value);
  return !safe.startsWith('"') && NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function numberText(value: number, locale: StaffLocale): string {
  return locale === 'it' ? String(value).replace('.', ',') : String(value);
}

/** Long format, one figure a line: section; grouping; group; measure; value. */
export function figuresCsv(tables: readonly FigureTable[], locale: StaffLocale, t: Translate): string {
  const lines = [
    [
      t('figures.export.section'),
      t('figures.export.by'),
      t('figures.export.group'),
      t('figures.export.measure'),
      t('figures.export.value'),
    ],
  ];
  for (const table of tables)
    for (const row of table.rows)
      row.cells.forEach((v, c) =>
        lines.push([
          table.title,
          table.groupLabel,
          row.label,
          table.columns[c]!,
          v === null ? t('figures.suppressed') : numberText(v, locale),
        ]),
      );
  return UTF8_BOM + lines.map((l) => l.map(cell).join(';') + '\r\n').join('');
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const textCell = (text: string) =>
  `<table:table-cell office:value-type="string"><text:p>${xml(text)}</text:p></table:table-cell>`;
const numberCell = (n: number) =>
  `<table:table-cell office:value-type="float" office:value="${n}"><text:p>${n}</text:p></table:table-cell>`;

/** A sheet name: at most 31 characters, none of those spreadsheets refuse. */
const sheetName = (title: string) => title.replace(/[[\]*?:/\\']/g, ' ').slice(0, 31);

/** One sheet per section, laid out as on the page; numbers as numbers, "< 5" as text. */
export function figuresOds(tables: readonly FigureTable[], t: Translate): Uint8Array {
  const sheets = tables.map((table) => {
    const header = `<table:table-row>${[table.groupLabel, ...table.columns].map(textCell).join('')}</table:table-row>`;
    const rows = table.rows.map(
      (r) =>
        `<table:table-row>${textCell(r.label)}${r.cells.map((v) => (v === null ? textCell(t('figures.suppressed')) : numberCell(v))).join('')}</table:table-row>`,
    );
    return `<table:table table:name="${xml(sheetName(table.title))}">${header}${rows.join('')}</table:table>`;
  });
  const content =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
    `office:version="1.2"><office:body><office:spreadsheet>${sheets.join('')}</office:spreadsheet></office:body></office:document-content>`;
  const manifest =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>' +
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
    '</manifest:manifest>';
  // The mimetype entry comes first and uncompressed: that is how a reader recognises an ODS file.
  return zipSync({
    mimetype: [strToU8('application/vnd.oasis.opendocument.spreadsheet'), { level: 0 }],
    'META-INF/manifest.xml': strToU8(manifest),
    'content.xml': strToU8(content),
  });
}
