// npm run user:create -- --email a@b.example --role admin [--name "Ada Rossi"] [--password "…"]
//   [--municipio 8 …] [--desk quarto-oggiaro …] [--organisation comunita-oklahoma] [--locale it|en]
//
// Creates a staff account on the configured database (embedded, or DATABASE_URL): the first admin,
// typically. With --password the account can sign in at once (the password policy applies);
// without it, a one-time invitation link (72 hours) is printed instead, since a script run by CI
// cannot prompt. Migrates (and seeds an empty database) first, as `npm start` does. With the
// embedded database, stop `npm start` first: one process at a time.
import { parseArgs } from 'node:util';
import { configOrExit } from './config-or-exit.ts';
import { openDatabase, targetFromConfig } from '#/server/db/connection.ts';
import { migrateAndSeed, seedFor } from './prepare-database.ts';
import type { Role } from '#/server/db/database.ts';
import { createUser, issueUserToken } from '#/features/staff-accounts/users.ts';
import { checkNewPassword } from '#/features/staff-accounts/password.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { invitationUrl } from '#/features/staff-accounts/emails.ts';
import { getTranslator } from '#/lib/i18n.ts';

const ROLES: Role[] = ['admin', 'coordinator', 'desk_operator', 'partner_editor'];
const USAGE = `Usage: npm run user:create -- --email <address> --role <${ROLES.join('|')}> [--name <display name>] [--password <password>]
       [--municipio <1-9> …] [--desk <desk slug> …] [--organisation <organisation slug>] [--locale it|en]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      municipio: { type: 'string', multiple: true },
      desk: { type: 'string', multiple: true },
      organisation: { type: 'string' },
      locale: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const email = args.email?.trim().toLowerCase() ?? '';
if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) fail('--email must be an email address.');
const role = args.role as Role;
if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}.`);
const displayName = (args.name ?? email.split('@')[0]!).trim().slice(0, 120) || email;
const locale = args.locale === 'en' ? 'en' : 'it';
const municipi = (args.municipio ?? []).map(Number);
if (municipi.some((m) => !Number.isInteger(m) || m < 1 || m > 9)) fail('--municipio must be a number from 1 to 9.');
if (args.password !== undefined) {
  const problem = checkNewPassword(args.password, { email });
  if (problem) fail(`--password is not accepted: ${getTranslator('en')(problem)}`);
}

const config = configOrExit();

const db = await openDatabase(targetFromConfig(config));
try {
  // As `npm start` would: migrate, and seed an empty database (the demo, or the municipi only in production).
  await migrateAndSeed(db, { seedIfEmpty: seedFor(config) });
  if (await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst())
    fail(`An account for ${email} exists already.`);
  for (const m of municipi) {
    if (!(await db.selectFrom('municipio').select('id').where('id', '=', m).executeTakeFirst()))
      fail(`No municipio ${m}.`);
  }
  const desks = [];
  for (const slug of args.desk ?? []) {
    const desk = await db.selectFrom('desk').select('id').where('slug', '=', slug).executeTakeFirst();
    if (!desk) fail(`No desk "${slug}" (is the database seeded? run npm run db:seed).`);
    desks.push(desk.id);
  }
  let organisationId: number | null = null;
  if (args.organisation) {
    const org = await db
      .selectFrom('organisation')
      .select('id')
      .where('slug', '=', args.organisation)
      .executeTakeFirst();
    if (!org) fail(`No organisation "${args.organisation}".`);
    organisationId = org.id;
  }
  if (role === 'partner_editor' && organisationId === null) fail('A partner_editor needs --organisation.');

  const userId = await createUser(db, { email, displayName, role, organisationId, municipi, desks }, args.password);
  await writeAudit(db, {
    actorUserId: null,
    action: 'user.created',
    subject: `user:${userId}`,
    detail: { role, via: 'command line', withPassword: args.password !== undefined },
  });
  console.log(`Created ${role} ${email} (id ${userId}).`);
  if (args.password === undefined) {
    const token = await issueUserToken(db, userId, 'invitation');
    console.log(
      `One-time link to set the password (valid 72 hours, usable once):\n${invitationUrl(config.publicUrl, locale, token)}`,
    );
  } else if (role === 'admin') {
    console.log('Admins set up a second factor (TOTP) at their first sign-in.');
  }
} finally {
  await db.destroy();
}
