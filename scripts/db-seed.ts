// npm run db:seed — migrates, then writes the seed data if the database is empty.
import { configOrExit } from './config-or-exit.ts';
import { prepareDatabase } from './prepare-database.ts';

await prepareDatabase(configOrExit(), { seedIfEmpty: true, log: console.log });
console.log('Seed done (an already seeded database is left as it is).');
