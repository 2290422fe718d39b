// Who is asking and which desk a staff form of the agenda is about: the signed-in staff member
// (staffOf: sign-in or second-factor redirect otherwise), the desk of the address
// (/{locale}/staff/agenda/{desk}…; the site's 404 when there is none), and `can` on that desk,
// asked before any field is looked at: a refused person gets the same 403, with nothing changed,
// whatever they sent. Never by URL alone: the desk's own municipio and id decide.
import type { ActionAPIContext } from 'astro:actions';
import { notFoundPage, refuseForbidden } from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import type { Db } from '#/server/db/database.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import type { StaffContext } from '#/features/staff-accounts/guard.ts';
import { can } from '#/features/staff-accounts/policy.ts';

export async function deskOfForm(
  context: ActionAPIContext,
  kind: 'desk.agenda' | 'desk.settings',
): Promise<{ db: Db; staff: StaffContext; desk: Desk }> {
  const staff = staffOf(context);
  const db = await getDb();
  const desk = await getDeskBySlug(db, context.params.desk ?? '');
  if (!desk) throw notFoundPage();
  if (!can(staff.actor, { kind, desk: { id: desk.id, municipioId: desk.municipioId } })) throw refuseForbidden();
  return { db, staff, desk };
}
