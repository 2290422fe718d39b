// CPU per statement of PGlite's own `query` against the named prepared statements of
// src/server/db/pglite-prepared.ts, in one process on an in-memory database: three statement shapes
// like the write path's (an indexed read, a guarded counter update, an insert behind a counting CTE).
// Each: 300 runs of warm-up, then 5 rounds of 2,000 runs; prints the median round's CPU (user +
// system) per statement. Run: node_modules/.bin/node scripts/bench-prepared.ts
import { PGlite } from '@electric-sql/pglite';
import { preparedPGlite } from '#/server/db/pglite-prepared.ts';

type Runner = { query(text: string, params: unknown[], options?: object): Promise<{ rows: unknown[] }> };

const pglite = await PGlite.create();
await pglite.exec(`
  create table probe (id serial primary key, slot int not null, name text, taken int not null default 0,
    at timestamptz not null default now());
  create index on probe (slot);
  insert into probe (slot, name) select g % 100, 'n' || g from generate_series(1, 5000) g;`);
const prepared = preparedPGlite(pglite) as unknown as Runner;
const random = (n: number) => Math.floor(Math.random() * n);

const statements: { label: string; text: string; params: () => unknown[] }[] = [
  {
    label: 'indexed read',
    text: 'select "id", "name", "taken" from "probe" where "slot" = $1 and "id" > $2 order by "id" limit $3',
    params: () => [random(100), 10, 5],
  },
  {
    label: 'guarded update',
    text: 'update "probe" set "taken" = "taken" + 1 where "id" = $1 and "taken" < $2 returning "id", "taken"',
    params: () => [1 + random(5000), 1e9],
  },
  {
    label: 'insert behind a count',
    text: 'with c as (select count(*) as n from "probe" where "slot" = $1 and "at" > $2) insert into "probe" ("slot", "name") select $1, $3 from c where c.n < $4 returning "id"',
    params: () => [random(100), new Date(0), 'z', 1e9],
  },
];

async function cpuPerRun(runner: Runner, text: string, params: () => unknown[], runs: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < runs; i++) await runner.query(text, params(), { rowMode: 'object' });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / runs;
}

for (const { label, text, params } of statements) {
  const line: string[] = [];
  for (const [name, runner] of [
    ['PGlite query', pglite as unknown as Runner],
    ['prepared', prepared],
  ] as const) {
    await cpuPerRun(runner, text, params, 300);
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) rounds.push(await cpuPerRun(runner, text, params, 2000));
    rounds.sort((a, b) => a - b);
    line.push(`${name} ${rounds[2]!.toFixed(0)} µs`);
  }
  console.log(`${label}: ${line.join(', ')} CPU per statement`);
}
await pglite.close();
