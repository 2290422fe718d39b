// Demo accounts for trying the staff area on the embedded database: `npm start` creates them once,
// right after it has seeded a new database, and prints their credentials once. Never in production
// (NODE_ENV=production), never on PostgreSQL (see scripts/serve.ts).
//
// Passwords are random for each database: a demo left running on a network does not open with a
// password printed in the source code. The demo admin has no second factor yet: like every admin,
// they are sent to set up TOTP (an authenticator app) at their first sign-in.
import { randomInt } from 'node:crypto';
import type { Db, Role } from '#/server/db/database.ts';
import { createUser } from './users.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { staffPath } from '#/lib/paths.ts';

export interface DemoAccount {
  role: Role;
  email: string;
  displayName: string;
  password: string;
  scope: string;
}

const WORDS_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
function demoPassword(): string {
  const group = () => Array.from({ length: 5 }, () => WORDS_ALPHABET[randomInt(WORDS_ALPHABET.length)]).join('');
  return `demo-${group()}-${group()}-${group()}`;
}

/** Creates the four demo accounts and returns their credentials (to print once). */
export async function createDemoAccounts(db: Db): Promise<DemoAccount[]> {
  if (process.env.NODE_ENV === 'production') throw new Error('demo accounts are never created in production');
  const desk = await db
    .selectFrom('desk')
    .select(['id', 'name', 'municipio_id'])
    .where('slug', '=', 'quarto-oggiaro')
    .executeTakeFirst();
  const organisation =
    (await db
      .selectFrom('organisation')
      .select(['id', 'name'])
      .where('slug', '=', 'comunita-oklahoma')
      .executeTakeFirst()) ??
    (await db.selectFrom('organisation').select(['id', 'name']).orderBy('id').limit(1).executeTakeFirst());
  const accounts: DemoAccount[] = [];
  /** Creates one account with a fresh password, within its scope, and keeps it to be printed. */
  const add = async (
    account: Omit<DemoAccount, 'password'>,
    scope: { municipi?: number[]; desks?: number[]; organisationId?: number } = {},
  ) => {
    const password = demoPassword();
    await createUser(
      db,
      { email: account.email, displayName: account.displayName, role: account.role, ...scope },
      password,
    );
    accounts.push({ ...account, password });
  };

  await add({
    role: 'admin',
    email: 'demo.admin@qubi.example.org',
    displayName: 'Demo Admin',
    scope: 'Comune di Milano',
  });
  await add(
    {
      role: 'coordinator',
      email: 'demo.coordinatore@qubi.example.org',
      displayName: 'Demo Coordinatrice M8',
      scope: 'Municipio 8',
    },
    { municipi: [8] },
  );
  if (desk)
    await add(
      {
        role: 'desk_operator',
        email: 'demo.sportello@qubi.example.org',
        displayName: 'Demo Operatore Quarto Oggiaro',
        scope: desk.name,
      },
      { desks: [desk.id] },
    );
  if (organisation)
    await add(
      {
        role: 'partner_editor',
        email: 'demo.partner@qubi.example.org',
        displayName: 'Demo Partner',
        scope: organisation.name,
      },
      { organisationId: organisation.id },
    );
  await writeAudit(db, { actorUserId: null, action: 'user.demo_accounts_created', detail: { count: accounts.length } });
  return accounts;
}

/** The lines `npm start` prints once (stable format: the HTTP tests read it). */
export function formatDemoAccounts(accounts: DemoAccount[], origin: string): string {
  const lines = [
    '',
    'Demo accounts of the staff area (embedded demo database only; shown this once):',
    `  sign in at ${origin.replace(/\/+$/, '')}${staffPath('it', 'accesso')}`,
  ];
  for (const a of accounts) lines.push(`  [demo] ${a.role} | ${a.email} | ${a.password} | ${a.scope}`);
  lines.push('  The admin sets up two-step verification (an authenticator app, TOTP) at the first sign-in.', '');
  return lines.join('\n');
}
