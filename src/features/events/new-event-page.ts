// How the page of a new event and the page of a new recurring activity open (staff/eventi/nuovo,
// staff/eventi/serie/nuova), the GET side of new-event-form.ts: a staff locale (else 404), a
// signed-in staff member (else to sign-in), somewhere they may write events (else 403), and the
// event form as a refused post kept it (its errors, its status), else empty with the municipio
// they would most likely choose. Each page then names its action and draws NewEventPage.
import type { AstroGlobal } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { keptFormInput, messageKeys, type KeptFormInput } from '#/server/forms/form-page.ts';
import type { DraftFlow } from '#/server/forms/form-draft.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { forbidden, requireStaff, type StaffContext } from '#/features/staff-accounts/guard.ts';
import { newEventChoices, type EventChoices } from './event-choices.ts';
import { emptyEventForm, readEventForm, type EventFormErrors, type EventFormValues } from './event-form.ts';

type Context = Pick<AstroGlobal, 'cookies' | 'response' | 'url' | 'redirect' | 'locals' | 'params' | 'rewrite'>;

export interface NewEventPageState {
  staff: StaffContext;
  choices: EventChoices;
  /** What the refused post kept, for the fields of the page's own (the series' rule). */
  kept: KeptFormInput | undefined;
  values: EventFormValues;
  errors: EventFormErrors;
}

export async function loadNewEventPage(
  context: Context,
  form: { flow: DraftFlow; scope: string },
): Promise<NewEventPageState | Response> {
  if (!isStaffLocale(context.params.locale)) return context.rewrite('/404');
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const { defaultMunicipio, ...choices } = await newEventChoices(await getDb(), staff.actor);
  if (choices.municipi.length === 0) return forbidden();
  const kept = await keptFormInput(context, form.flow, form.scope);
  const values = kept ? readEventForm(kept.form) : emptyEventForm({ municipioId: defaultMunicipio });
  // A partner always writes for their own organisation: the form has no such field.
  if (choices.organisations === null) values.organisationId = '';
  const errors = (kept ? messageKeys(kept.errors) : {}) as EventFormErrors;
  return { staff, choices, kept, values, errors };
}
