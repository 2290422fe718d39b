// The dashboard's tables for the programme's reports, with exactly the cells the page shows (the
// suppressed ones as "< 5"): CSV for Italian spreadsheets (";" between fields, a UTF-8 byte order
// mark, decimal comma in Italian) and ODS (OpenDocument, one sheet per section; src/lib/ods.ts).
import { writeOds } from '#/lib/ods.ts';
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

/** One sheet per section, laid out as on the page; numbers as numbers, "< 5" as text. */
export function figuresOds(tables: readonly FigureTable[], t: Translate): Uint8Array {
  return writeOds(
    tables.map((table) => ({
      name: table.title,
      rows: [
        [table.groupLabel, ...table.columns],
        ...table.rows.map((r) => [r.label, ...r.cells.map((v) => v ?? t('figures.suppressed'))]),
      ],
    })),
  );
}
