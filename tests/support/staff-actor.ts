// A staff member made for a test and loaded as the policy sees them (role, municipi, desks,
// organisation), without signing in: named after their address ("coord8" for coord8@…), no
// password and no second factor.
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';
import type { Actor, Role } from '#/features/staff-accounts/policy.ts';

export async function staffActor(
  db: Kysely<Database>,
  email: string,
  role: Role,
  scope: { organisationId?: number; municipi?: number[]; desks?: number[] } = {},
): Promise<Actor> {
  const displayName = email.split('@')[0]!;
  const id = await createUser(db, { email, displayName, role, ...scope });
  return loadActor(db, {
    id,
    email,
    displayName,
    role,
    organisationId: scope.organisationId ?? null,
    totpEnabled: false,
  });
}
