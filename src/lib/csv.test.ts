import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ITALIAN_CSV, UTF8_BOM, csvCell, toCsv } from './csv.ts';

/** A minimal RFC 4180 reader, to check that what we write reads back as the same cells. */
function parseCsv(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('csvCell', () => {
  it('leaves plain text and numbers alone, empties null', () => {
    expect(csvCell('Amina')).toBe('Amina');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('')).toBe('');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('Rossi, Maria')).toBe('"Rossi, Maria"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
  });

  it.each(['=1+1', '+39 333', '-2+3', '@SUM(A1)', '\t=cmd', '\r=cmd', '=HYPERLINK("http://x","y")'])(
    'neutralises a formula: %j',
    (value) => {
      const cell = csvCell(value);
      const [[read]] = parseCsv(cell + '\r\n') as [[string]];
      expect(read.startsWith("'")).toBe(true);
      expect(read.slice(1)).toBe(value);
    },
  );

  it('does not touch text with a formula character further in', () => {
    expect(csvCell('Anna-Maria')).toBe('Anna-Maria');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('mail@example.org')).toBe('mail@example.org');
  });
});

describe('toCsv', () => {
  it('starts with a UTF-8 BOM and ends every record with CRLF', () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        ['1', 'Zoë'],
        ['中文', null],
      ],
    );
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv.slice(1)).toBe('a,b\r\n1,Zoë\r\n中文,\r\n');
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('can leave the BOM out', () => {
    expect(toCsv(['a'], [], { bom: false })).toBe('a\r\n');
  });

  it('reads back as the same cells, and no cell can start a formula', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 3, maxLength: 3 }), {
          maxLength: 8,
        }),
        (rows) => {
          const csv = toCsv(['x', 'y', 'z'], rows, { bom: false });
          const read = parseCsv(csv);
          expect(read[0]).toEqual(['x', 'y', 'z']);
          expect(read.slice(1)).toHaveLength(rows.length);
          read.slice(1).forEach((row, i) =>
            row.forEach((cell, j) => {
              const original = rows[i]![j]!;
              expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
              expect(cell).toBe(/^[=+\-@\t\r]/.test(original) ? `'${original}` : original);
            }),
          );
        },
      ),
    );
  });

  it('writes `;`-separated files for Italian spreadsheets, quoting cells with `;` or `,`', () => {
    const csv = toCsv(
      ['Nome', 'Nota'],
      [
        ['Rossi; Maria', '1,5 kg'],
        ['Amina', 'ok'],
      ],
      ITALIAN_CSV,
    );
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv.slice(1)).toBe('Nome;Nota\r\n"Rossi; Maria";"1,5 kg"\r\nAmina;ok\r\n');
    expect(parseCsv(csv.slice(1), ';')).toEqual([
      ['Nome', 'Nota'],
      ['Rossi; Maria', '1,5 kg'],
      ['Amina', 'ok'],
    ]);
  });
});
