// The signed-in person as the authorization policy sees them: role plus scope.
import type { Db } from '#/server/db/database.ts';
import type { Actor } from './policy.ts';
import type { SessionUser } from './session.ts';

export async function loadActor(db: Db, user: SessionUser): Promise<Actor> {
  const [municipi, desks] = await Promise.all([
    db.selectFrom('user_municipio').select('municipio_id').where('user_id', '=', user.id).execute(),
    db.selectFrom('user_desk').select('desk_id').where('user_id', '=', user.id).execute(),
  ]);
  return {
    id: user.id,
    role: user.role,
    organisationId: user.organisationId,
    municipi: municipi.map((m) => m.municipio_id),
    desks: desks.map((d) => d.desk_id),
  };
}
