// npm run db:migrate — applies pending migrations to the configured database.
import { configOrExit } from './config-or-exit.ts';
import { prepareDatabase } from './prepare-database.ts';

await prepareDatabase(configOrExit(), { seedIfEmpty: false, log: console.log });
console.log('Database is up to date.');
