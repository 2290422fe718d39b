// How many events wait for a moderator's review (issue #15): new events submitted, and published
// events with a change waiting (event_revision), in the municipi the actor moderates (all for an
// admin, none for other roles). The staff home shows it (components/ReviewCount.astro).
import type { Db } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';

export async function countEventsToReview(db: Db, actor: Actor): Promise<number> {
  if (actor.role !== 'admin' && (actor.role !== 'coordinator' || actor.municipi.length === 0)) return 0;
  const scope = actor.role === 'admin' ? null : [...actor.municipi];
  let submitted = db
    .selectFrom('event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'submitted');
  let changes = db
    .selectFrom('event_revision')
    .innerJoin('event', 'event.id', 'event_revision.event_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('event.status', '=', 'published');
  if (scope) {
    submitted = submitted.where('municipio_id', 'in', scope);
    changes = changes.where('event.municipio_id', 'in', scope);
  }
  const [a, b] = await Promise.all([submitted.executeTakeFirstOrThrow(), changes.executeTakeFirstOrThrow()]);
  return Number(a.n) + Number(b.n);
}
