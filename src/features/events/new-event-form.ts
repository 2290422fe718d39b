// The first steps of a new event's form and a new series' (actions.ts, series-actions.ts): who is
// asking, the choices they were offered, the form read and checked against them. A municipio the
// actor may not write for is a refusal (403, nothing read further), not a field error.
import type { ActionAPIContext } from 'astro:actions';
import { refuseForbidden } from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import { checkEventForm, readEventFields } from './event-form.ts';
import { newEventChoices } from './event-choices.ts';
import { namesForbiddenMunicipio } from './event-workflow.ts';

export async function readNewEventForm(context: ActionAPIContext, fields: Record<string, unknown>) {
  const { actor } = staffOf(context);
  const db = await getDb();
  const choices = await newEventChoices(db, actor);
  if (choices.municipi.length === 0) throw refuseForbidden();
  const values = readEventFields((name) => fields[name]);
  if (choices.organisations === null) values.organisationId = '';
  if (namesForbiddenMunicipio(values, choices.municipi)) throw refuseForbidden();
  const checked = checkEventForm(values, {
    municipi: choices.municipi,
    organisations: choices.organisations?.map((o) => o.id) ?? [],
  });
  return { db, actor, values, checked };
}
