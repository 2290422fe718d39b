// What a staff event page (/{locale}/staff/eventi/{id}) shows from the draft its actions kept: the
// form as typed when a save was refused (else the event as stored), the reason typed when a send
// back was refused, the errors, and whether the event moved on meanwhile (409). The kept form's
// `intent` says which of the page's forms it was.
import type { KeptFormInput } from '#/server/forms/form-page.ts';
import { messageKeys } from '#/server/forms/form-page.ts';
import type { Translate } from '#/lib/i18n.ts';
import { EVENT_CONFLICT, EVENT_DONE, type EventDone } from './actions.ts';
import {
  EVENT_FORM_ORDER,
  REVIEW_NOTE_MAX,
  eventErrorSummary,
  eventFormValues,
  readEventForm,
  type EventFormErrors,
} from './event-form.ts';
import type { StaffEvent } from './staff-events.ts';
import { revisionFormValues, type PendingRevision } from './event-revisions.ts';

/** The form shows what was typed (a refused save), else the change waiting for review, else the event. */
export function eventPageDraft(
  kept: KeptFormInput | undefined,
  event: StaffEvent,
  partner: boolean,
  pending?: PendingRevision,
) {
  const intent = kept?.form.get('intent');
  const values =
    kept && intent === 'save'
      ? readEventForm(kept.form)
      : pending
        ? revisionFormValues(pending)
        : eventFormValues(event);
  if (partner) values.organisationId = '';
  const note = intent === 'sendBack' ? kept?.form.get('reviewNote') : null;
  return {
    values,
    reviewNote: typeof note === 'string' ? note.slice(0, REVIEW_NOTE_MAX + 1000) : '',
    errors: (kept ? messageKeys(kept.errors) : {}) as EventFormErrors,
    conflict: kept?.notice === EVENT_CONFLICT,
  };
}

/** The error summary: each field's message, then the conflict (409) naming the event's status now. */
export function eventPageSummary(errors: EventFormErrors, conflict: boolean, event: StaffEvent, t: Translate) {
  const summary = eventErrorSummary(errors, t, [...EVENT_FORM_ORDER, 'reviewNote']);
  const status = t(`staff.event.status.${event.status}`);
  if (conflict) summary.push({ href: '#status', text: t('staff.event.conflict', { status }) });
  return summary;
}

/** The change just done (?done=…, after an action's 303), for its notice. */
export function eventDone(params: URLSearchParams): EventDone | undefined {
  const done = params.get('done') ?? '';
  return (EVENT_DONE as readonly string[]).includes(done) ? (done as EventDone) : undefined;
}
