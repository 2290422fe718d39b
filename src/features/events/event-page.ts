// What a staff event page (/{locale}/staff/eventi/{id}) shows from the draft its actions kept: the
// form as typed when a save was refused (else the event as stored), the reason typed when a send
// back was refused, the errors, and whether the event moved on meanwhile (409). The kept form's
// `intent` says which of the page's forms it was.
import type { KeptFormInput } from '#/server/forms/form-page.ts';
import { messageKeys } from '#/server/forms/form-page.ts';
import { EVENT_CONFLICT } from './actions.ts';
import { REVIEW_NOTE_MAX, eventFormValues, readEventForm, type EventFormErrors } from './event-form.ts';
import type { StaffEvent } from './staff-events.ts';

export function eventPageDraft(kept: KeptFormInput | undefined, event: StaffEvent, partner: boolean) {
  const intent = kept?.form.get('intent');
  const values = kept && intent === 'save' ? readEventForm(kept.form) : eventFormValues(event);
  if (partner) values.organisationId = '';
  const note = intent === 'sendBack' ? kept?.form.get('reviewNote') : null;
  return {
    values,
    reviewNote: typeof note === 'string' ? note.slice(0, REVIEW_NOTE_MAX + 1000) : '',
    errors: (kept ? messageKeys(kept.errors) : {}) as EventFormErrors,
    conflict: kept?.notice === EVENT_CONFLICT,
  };
}
