// npm run db:migrate — applies pending migrations to the configured database.
import { parseConfig } from '../src/lib/server/config.ts';
import { prepareDatabase } from './prepare-database.ts';

await prepareDatabase(parseConfig(process.env), { seedIfEmpty: false, log: console.log });
console.log('Database is up to date.');
