import { PGlite } from '@electric-sql/pglite';
import { preparedPGlite } from '#/server/db/pglite-prepared.ts';
const pg = await PGlite.create();
await pg.exec(`create table t (id serial primary key, slot int not null, name text, taken int not null default 0, at timestamptz default now());
 create index on t(slot); insert into t(slot,name) select g % 100, 'n'||g from generate_series(1,5000) g;`);
const fast = preparedPGlite(pg) as any;
const stmts: [string, () => unknown[]][] = [
  ['select "id", "name", "taken" from "t" where "slot" = $1 and "id" > $2 order by "id" limit $3', () => [Math.floor(Math.random()*100), 10, 5]],
  ['update "t" set "taken" = "taken" + 1 where "id" = $1 and "taken" < $2 returning "id", "taken"', () => [1 + Math.floor(Math.random()*5000), 1e9]],
  ['with x as (select count(*) as n from "t" where "slot" = $1 and "at" > $2) insert into "t" ("slot", "name") select $1, $3 from x where x.n < $4 returning "id"', () => [Math.floor(Math.random()*100), new Date(0), 'z', 1e9]],
];
for (const [label, runner] of [['pglite.query', pg], ['prepared', fast]] as const) {
  for (const [text, args] of stmts) {
    for (let i = 0; i < 300; i++) await (runner as any).query(text, args(), { rowMode: 'object' });
    const n = 3000; const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await (runner as any).query(text, args(), { rowMode: 'object' });
    const c = process.cpuUsage(t0);
    console.log(label.padEnd(13), ((c.user + c.system) / n).toFixed(1), 'µs CPU', text.slice(0, 40));
  }
}
const a = await pg.query('select "id","name","at" from "t" where "id" = $1', [7]);
const b = await fast.query('select "id","name","at" from "t" where "id" = $1', [7]);
console.log(JSON.stringify(a.rows) === JSON.stringify(b.rows), b.rows);
