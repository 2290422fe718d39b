// Per-file set-up, old way (no templates) vs new (this run's templates), interleaved.
import setup from './tests/support/global-setup.ts';
import { createTestDatabase, TEMPLATES_ENV } from './tests/support/db.ts';
import { startServer } from './tests/support/server.ts';
const ms = (s: number) => (performance.now() - s) / 1000;
let s = performance.now();
const teardown = await setup();
console.log(`globalSetup ${ms(s).toFixed(1)} s`);
const dir = process.env[TEMPLATES_ENV]!;
const rounds = Number(process.argv[2] ?? 3);
for (let i = 0; i < rounds; i++) {
  for (const mode of ['old', 'new'] as const) {
    if (mode === 'old') delete process.env[TEMPLATES_ENV]; else process.env[TEMPLATES_ENV] = dir;
    s = performance.now();
    const t = await createTestDatabase();
    const db = ms(s);
    await t.close();
    s = performance.now();
    const server = await startServer();
    const srv = ms(s);
    await server.stop();
    console.log(`${mode}: createTestDatabase ${db.toFixed(1)} s, startServer ${srv.toFixed(1)} s`);
  }
}
process.env[TEMPLATES_ENV] = dir;
await teardown?.();
