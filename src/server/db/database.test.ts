// The hand-kept Database interface (database.ts) against the one kysely-codegen generates from the
// migrated schema (schema.generated.ts, `npm run db:types`). The hand-kept one stays what the code
// uses, for the precision the generator cannot give (status unions, the JSON shapes of localized
// texts, insert and update types); these checks make sure it never drifts from the real schema.
// At run time: the same tables with the same columns. At compile time (astro check): the same
// tables, columns and nullable columns (but for JSON columns: the generated JSON type includes null).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Selectable } from 'kysely';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { Database } from './database.ts';
import type { DB, JsonValue } from './schema.generated.ts';

/** Table → its columns, sorted, read from the interface named `root` in a TypeScript file. */
function tablesOf(file: string, root: string): Record<string, string[]> {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(import.meta.dirname, file), 'utf8'),
    ts.ScriptTarget.Latest,
  );
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const members = (name: string) =>
    interfaces
      .get(name)!
      .members.filter(ts.isPropertySignature)
      .map((m) => ({ name: m.name.getText(source), type: m.type!.getText(source) }));
  return Object.fromEntries(
    members(root)
      .map(
        (table) =>
          [
            table.name,
            members(table.type)
              .map((c) => c.name)
              .sort(),
          ] as const,
      )
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

describe('the Database interface', () => {
  it('has the tables and columns of the migrated schema (kysely-codegen)', () => {
    expect(tablesOf('database.ts', 'Database')).toEqual(tablesOf('schema.generated.ts', 'DB'));
  });
});

// ------------------------------------------------------------------------ compile-time agreement

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type NullableColumns<Row> = { [K in keyof Row]-?: null extends Row[K] ? K : never }[keyof Row];
type JsonColumns<Row> = { [K in keyof Row]-?: JsonValue extends Row[K] ? K : never }[keyof Row];
type Nullable<Row, Generated> = Exclude<NullableColumns<Selectable<Row>>, JsonColumns<Selectable<Generated>>>;
type Agreement = {
  [T in keyof DB & keyof Database]: Same<keyof Database[T], keyof DB[T]> extends true
    ? Same<Nullable<Database[T], DB[T]>, Nullable<DB[T], DB[T]>>
    : false;
};
// A table whose columns or nullable columns differ makes its entry `false`: astro check fails here.
const tablesAgree: Same<keyof Database, keyof DB> = true;
const columnsAgree: { [T in keyof Agreement]: true } = {} as Agreement;
void tablesAgree;
void columnsAgree;
