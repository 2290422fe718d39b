// Volunteer sign-ups as the HTML form and the JSON API send them: addresses, reading the fields
// into the shape of volunteerSchema (src/features/volunteers/vocabulary.ts) and turning its issues into message
// keys ("volunteer.error.*"), per field, in the order of the form. Pure.
import { volunteerSchema, VOLUNTEER_SKILLS, type VolunteerInput } from './vocabulary.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import type { Locale } from '#/lib/locales.ts';
import { issueKeys } from '#/lib/validation.ts';

/** The form's fields, in page order: also the order of the error summary. */
export const VOLUNTEER_FIELDS = [
  'name',
  'email',
  'phone',
  'municipi',
  'skills',
  'languages',
  'availability',
  'note',
  'consent',
  'locale',
] as const;
export type VolunteerField = (typeof VOLUNTEER_FIELDS)[number];

/** What the form sends, as typed. */
export interface VolunteerFormValues {
  name: string;
  email: string;
  phone: string;
  municipi: string[];
  skills: string[];
  languages: string[];
  availability: string[];
  note: string;
  consent: boolean;
}

const text = (form: FormData, name: string, max = 2000) => {
  const v = form.get(name);
  return typeof v === 'string' ? v.slice(0, max) : '';
};
// Never more values than a list can hold (the schema then checks each one).
const list = (form: FormData, name: string, max: number) =>
  form
    .getAll(name)
    .filter((v): v is string => typeof v === 'string')
    .slice(0, max)
    .map((v) => v.slice(0, 40));

export function readVolunteerForm(form: FormData): VolunteerFormValues {
  return {
    name: text(form, 'name'),
    email: text(form, 'email'),
    phone: toLatinDigits(text(form, 'phone', 100)),
    municipi: list(form, 'municipi', 9),
    skills: list(form, 'skills', VOLUNTEER_SKILLS.length),
    languages: list(form, 'languages', 30),
    availability: list(form, 'availability', 21),
    note: text(form, 'note', 5000),
    consent: text(form, 'consent') === 'yes',
  };
}

export function emptyVolunteerForm(): VolunteerFormValues {
  return {
    name: '',
    email: '',
    phone: '',
    municipi: [],
    skills: [],
    languages: [],
    availability: [],
    note: '',
    consent: false,
  };
}

/** The element each field's error links to (the first choice of a group). */
const FIELD_IDS: Record<VolunteerField, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  municipi: 'municipi-0',
  skills: 'skills-0',
  languages: 'languages-0',
  availability: 'availability-0',
  note: 'note',
  consent: 'consent',
  locale: 'name',
};

/** The GOV.UK error summary of the sign-up form: each error linked to its field, then the notice. */
export function volunteerErrorSummary(
  errors: Partial<Record<VolunteerField, string>>,
  notice: 'tooFast' | 'formExpired' | undefined,
  t: (key: string) => string,
): { href: string; text: string }[] {
  const summary = Object.entries(errors).map(([field, key]) => ({
    href: `#${FIELD_IDS[field as VolunteerField]}`,
    text: t(key!),
  }));
  if (notice) summary.push({ href: '#submit', text: t(`volunteer.error.${notice}`) });
  return summary;
}

export type VolunteerCheck =
  { ok: true; value: VolunteerInput } | { ok: false; fields: Partial<Record<VolunteerField, string>> };

/** Validates a sign-up (the API's body) with the shared schema; message keys by field, in form order. */
export function checkVolunteer(input: Record<string, unknown>): VolunteerCheck {
  const parsed = volunteerSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    fields: Object.fromEntries(issueKeys(parsed.error.issues, 'volunteer.error.', VOLUNTEER_FIELDS)),
  };
}

/** The form's values in the schema's shape; the language of the emails is the page's. */
export function volunteerInputFromForm(values: VolunteerFormValues, locale: Locale): Record<string, unknown> {
  return {
    name: values.name,
    email: values.email,
    phone: values.phone,
    municipi: values.municipi,
    skills: values.skills,
    languages: values.languages,
    availability: values.availability,
    note: values.note,
    locale,
    consent: values.consent,
  };
}

/** A JSON body in the schema's shape: `null` is as good as absent for the optional fields. */
export function volunteerInputFromJson(body: Record<string, unknown>): Record<string, unknown> {
  return {
    name: body.name,
    email: body.email,
    phone: body.phone ?? undefined,
    municipi: body.municipi,
    skills: body.skills,
    languages: body.languages ?? undefined,
    availability: body.availability ?? undefined,
    note: body.note ?? undefined,
    locale: body.locale,
    consent: body.consent,
  };
}
