// The door list's forms (issue #13, "At the door"), without JavaScript: mark a party arrived (or
// not, a mis-tap undone) and count walk-ins. Each asks staffOf and `can` on the event as stored
// (its owner organisation and municipio: event.edit or event.moderate) before it reads a field.
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { defineFormAction, refuseForbidden, seeOther, FormAnswered } from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import { eventDoorPath } from '#/lib/paths.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { eventActions, getEventForStaff } from './staff-events.ts';
import { markArrived, countWalkIn } from './door.ts';

export const doorForm = (id: string | undefined) => ({ flow: 'staff', scope: `ingresso:${id ?? ''}` }) as const;

async function doorEvent(context: ActionAPIContext) {
  const { actor } = staffOf(context);
  const db = await getDb();
  const id = recordId('x').safeParse(context.params.id);
  const event = id.success ? await getEventForStaff(db, id.data) : undefined;
  if (!event) throw new FormAnswered({ rewrite: '/404' });
  if (!eventActions(actor, event).view) throw refuseForbidden();
  return { db, event, back: eventDoorPath(context.locals.locale, event.id) };
}

export const doorActions = {
  /** A party arrived (arrived=yes) or not after all. */
  markArrived: defineFormAction({
    input: z.object({ registration: optionalField(12), arrived: optionalField(3) }),
    slot: (context) => doorForm(context.params.id),
    messages: 'events.door.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ registration, arrived }, context) => {
      const { db, event, back } = await doorEvent(context);
      const id = Number(registration);
      if (Number.isInteger(id) && id > 0) await markArrived(db, event.id, id, arrived === 'yes');
      throw seeOther(`${back}#r${id}`);
    },
  }),
  /** One more (or one less) person let in without a registration. */
  countWalkIn: defineFormAction({
    input: z.object({ change: optionalField(3) }),
    slot: (context) => doorForm(context.params.id),
    messages: 'events.door.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ change }, context) => {
      const { db, event, back } = await doorEvent(context);
      await countWalkIn(db, event.id, change === '-1' ? -1 : 1);
      throw seeOther(`${back}#walk-ins`);
    },
  }),
};
