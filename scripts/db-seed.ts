// npm run db:seed — migrates, then writes the seed data if the database is empty.
import { configOrExit } from './config-or-exit.ts';
import { prepareDatabase, seedFor } from './prepare-database.ts';

const config = configOrExit();
await prepareDatabase(config, { seedIfEmpty: seedFor(config), log: console.log });
console.log('Seed done (an already seeded database is left as it is).');
