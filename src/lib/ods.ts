// A minimal OpenDocument spreadsheet (.ods) writer: sheets of text and number cells, zipped with
// fflate (maintained; no spreadsheet library needed for rows and sheets only). The dashboard's
// figures and the staff agenda export through it (docs/architecture.md, decisions).
import { strToU8, zipSync } from 'fflate';

/** A cell: a number stays a number in the spreadsheet; null is an empty cell. */
export type OdsCell = string | number | null;

export interface OdsSheet {
  name: string;
  rows: readonly (readonly OdsCell[])[];
}

export const ODS_MEDIA_TYPE = 'application/vnd.oasis.opendocument.spreadsheet';

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function odsCell(value: OdsCell): string {
  if (value === null || value === '') return '<table:table-cell/>';
  if (typeof value === 'number')
    return `<table:table-cell office:value-type="float" office:value="${value}"><text:p>${value}</text:p></table:table-cell>`;
  // A text cell is never evaluated, so a leading "=" is shown as typed, not run as a formula.
  return `<table:table-cell office:value-type="string"><text:p>${xml(value)}</text:p></table:table-cell>`;
}

/** A sheet name: at most 31 characters, none of those spreadsheets refuse. */
const sheetName = (title: string) => title.replace(/[[\]*?:/\\']/g, ' ').slice(0, 31);

export function writeOds(sheets: readonly OdsSheet[]): Uint8Array {
  const tables = sheets.map(
    (sheet) =>
      `<table:table table:name="${xml(sheetName(sheet.name))}">${sheet.rows
        .map((row) => `<table:table-row>${row.map(odsCell).join('')}</table:table-row>`)
        .join('')}</table:table>`,
  );
  const content =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
    `office:version="1.2"><office:body><office:spreadsheet>${tables.join('')}</office:spreadsheet></office:body></office:document-content>`;
  const manifest =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
    `<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="${ODS_MEDIA_TYPE}"/>` +
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
    '</manifest:manifest>';
  // The mimetype entry comes first and uncompressed: that is how a reader recognises an ODS file.
  return zipSync({
    mimetype: [strToU8(ODS_MEDIA_TYPE), { level: 0 }],
    'META-INF/manifest.xml': strToU8(manifest),
    'content.xml': strToU8(content),
  });
}
