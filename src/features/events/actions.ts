// The staff event forms as Astro Actions: a new draft (/{locale}/staff/eventi/nuovo) and, on an
// event's page (/{locale}/staff/eventi/{id}), saving it and the review workflow (submit, publish,
// send back with a reason, cancel). Each checks who is asking (staffOf) and `can` on the event as
// stored BEFORE it reads the form: a refusal (403, nothing changed) says nothing about the fields.
// Then one function of this feature, the public pages' cache invalidated, and 303 to the event.
import type { ActionAPIContext } from 'astro:actions';
import { staffPath } from '#/lib/paths.ts';
import { z } from 'astro/zod';
import { FormAnswered, FormRefused, defineFormAction, refuseForbidden } from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import type { Db } from '#/server/db/database.ts';
import { invalidateLiveData } from '#/server/cache/live-page.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { EVENT_FORM_ORDER, REVIEW_NOTE_MAX, checkEventForm, eventFieldBound, readEventFields } from './event-form.ts';
import { eventChoices } from './event-choices.ts';
import {
  cancelEvent,
  createEvent,
  namesForbiddenMunicipio,
  publishEvent,
  sendBackEvent,
  submitEvent,
  updateEvent,
  type EventChange,
} from './event-workflow.ts';
import { canEditEvent, getEventForStaff, type StaffEvent } from './staff-events.ts';
import { signUpActions } from './sign-up-actions.ts';
import { readNewEventForm } from './new-event-form.ts';
import { doorActions } from './door-actions.ts';
import { seriesActions } from './series-actions.ts';

/** The new-event form's draft (its answers and errors, for the GET of …/eventi/nuovo). */
export const NEW_EVENT_FORM = { flow: 'staff', scope: 'evento:nuovo' } as const;
/** An event page's draft: one per event, whichever of its forms was refused. */
export const eventPageForm = (id: string | undefined) => ({ flow: 'staff', scope: `evento:${id ?? ''}` }) as const;

/** What the page says after a change (?done=…). */
export const EVENT_DONE = [
  'created',
  'saved',
  'backToReview',
  'submitted',
  'published',
  'sentBack',
  'cancelled',
] as const;
export type EventDone = (typeof EVENT_DONE)[number];
/** The notice of a change refused because the event moved on meanwhile (409). */
export const EVENT_CONFLICT = 'conflict';

/**
 * Every field of the event form, each a bounded string (missing = ''): the rules that depend on
 * who is asking (which municipi and organisations they may name) and across fields (end after
 * start) are checkEventForm's, run by the handler once the actor may write at all.
 */
const eventFields = z.object(
  Object.fromEntries(EVENT_FORM_ORDER.map((name) => [name, optionalField(eventFieldBound(name))])),
);
const noFields = z.object({});

const notFound = () =>
  new FormAnswered(
    new Response('Not found', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    }),
  );

/** The event of the page posted to (its id in the address), and who is asking; 404 when there is none. */
async function eventOfPage(context: ActionAPIContext): Promise<{ db: Db; actor: Actor; event: StaffEvent }> {
  const { actor } = staffOf(context);
  const id = recordId('invalid').safeParse(context.params.id);
  const db = await getDb();
  const event = id.success ? await getEventForStaff(db, id.data) : undefined;
  if (!event) throw notFound();
  return { db, actor, event };
}

/** A change's outcome: 303 to the event with its notice, or the refusal. */
async function finish(context: ActionAPIContext, event: StaffEvent, result: EventChange, done: EventDone) {
  if (!result.ok) {
    if (result.error === 'forbidden') throw refuseForbidden();
    if (result.error === 'not_found') throw notFound();
    // Fewer seats than families have already taken: said at the seats field, nothing written.
    if (result.error === 'seats_below_taken')
      throw new FormRefused({ errors: { seats: 'staff.event.error.seatsBelowTaken' }, status: 409 });
    // The event moved on meanwhile: the page shows it as it is now (what was typed kept, if anything).
    throw new FormRefused({ notice: EVENT_CONFLICT, status: 409 });
  }
  if (result.cacheTags.length > 0) await invalidateLiveData(context, result.cacheTags);
  const page = staffPath(context.locals.locale, 'eventi', String(event.id));
  return { location: `${page}?done=${result.backToReview ? 'backToReview' : done}` };
}

/** A workflow button (no fields): authorized and checked against the status inside `change`. */
function workflowAction(done: EventDone, change: (db: Db, actor: Actor, id: number) => Promise<EventChange>) {
  return defineFormAction({
    input: noFields,
    slot: (context) => eventPageForm(context.params.id),
    messages: 'staff.event.error.',
    handler: async (_input, context) => {
      const { db, actor, event } = await eventOfPage(context);
      return finish(context, event, await change(db, actor, event.id), done);
    },
  });
}

export const events = {
  ...signUpActions,
  ...doorActions,
  ...seriesActions,
  /** A new draft event, in a municipio (and for an organisation) the actor may write for. */
  create: defineFormAction({
    input: eventFields,
    slot: NEW_EVENT_FORM,
    messages: 'staff.event.error.',
    fields: EVENT_FORM_ORDER,
    handler: async (fields, context) => {
      const { db, actor, checked } = await readNewEventForm(context, fields);
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const made = await createEvent(db, actor, checked.value);
      if (!made.ok) throw refuseForbidden();
      return { location: `${staffPath(context.locals.locale, 'eventi', String(made.event.id))}?done=created` };
    },
  }),

  /** The form saved over the event (a published one goes back to review). */
  save: defineFormAction({
    input: eventFields,
    slot: (context) => eventPageForm(context.params.id),
    messages: 'staff.event.error.',
    fields: EVENT_FORM_ORDER,
    handler: async (fields, context) => {
      const { db, actor, event } = await eventOfPage(context);
      if (!canEditEvent(actor, event)) throw refuseForbidden();
      const choices = await eventChoices(db, actor, event);
      const values = readEventFields((name) => fields[name]);
      if (choices.organisations === null) values.organisationId = '';
      if (namesForbiddenMunicipio(values, choices.municipi)) throw refuseForbidden();
      const checked = checkEventForm(values, {
        municipi: choices.municipi,
        organisations: choices.organisations?.map((o) => o.id) ?? [],
      });
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      return finish(context, event, await updateEvent(db, actor, event.id, checked.value, new Date(), values), 'saved');
    },
  }),

  submit: workflowAction('submitted', submitEvent),
  publish: workflowAction('published', publishEvent),
  cancel: workflowAction('cancelled', cancelEvent),

  /** Back to the partner as a draft, with the moderator's reason (required, checkReviewNote). */
  sendBack: defineFormAction({
    input: z.object({ reviewNote: optionalField(REVIEW_NOTE_MAX + 1000) }),
    slot: (context) => eventPageForm(context.params.id),
    messages: 'staff.event.error.',
    fields: ['reviewNote'],
    handler: async ({ reviewNote }, context) => {
      const { db, actor, event } = await eventOfPage(context);
      const result = await sendBackEvent(db, actor, event.id, reviewNote);
      if (!result.ok && result.error === 'invalid') throw new FormRefused({ errors: { reviewNote: result.message } });
      return finish(context, event, result, 'sentBack');
    },
  }),
};
