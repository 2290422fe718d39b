// npm run db:seed — migrates, then writes the seed data if the database is empty.
import { parseConfig } from '../src/lib/server/config.ts';
import { prepareDatabase } from './prepare-database.ts';

await prepareDatabase(parseConfig(process.env), { seedIfEmpty: true, log: console.log });
console.log('Seed done (an already seeded database is left as it is).');
