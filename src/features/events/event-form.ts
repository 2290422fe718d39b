// The staff event form: its fields (every language of the site), reading a posted form, and its rules
// (zod, into message keys "staff.event.error.*"). Pure: no database. The form is posted to the
// actions in ./actions.ts; the writes are in ./event-workflow.ts.
import { z } from 'astro/zod';
import { LOCALES, LOCALE_NAMES, type Locale, type LocalizedText } from '#/lib/locales.ts';
import { parseDateOnly, romeParts, romeToInstant } from '#/lib/time.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import type { StaffEvent } from './staff-events.ts';
import type { EventFacts, EventStop } from './event-facts.ts';
import {
  FACTS_ERROR_KEYS,
  FACTS_FORM_ORDER,
  checkFactsForm,
  emptyFactsForm,
  factsFormValues,
  readFactsFields,
  type FactsFormValues,
} from './event-facts-form.ts';

/** Texts written per locale: Italian is required for title, summary and description. */
export const EVENT_TEXT_FIELDS = ['title', 'summary', 'description', 'transitHint', 'priceNote'] as const;
export type EventTextField = (typeof EVENT_TEXT_FIELDS)[number];
export const EVENT_TEXT_LIMITS: Record<EventTextField, number> = {
  title: 200,
  summary: 500,
  description: 10000,
  transitHint: 300,
  priceNote: 200,
};
/** Texts written on several lines (the description is Markdown, see src/features/events/markdown.ts). */
const MULTILINE: ReadonlySet<EventTextField> = new Set(['summary', 'description']);
const REQUIRED_ITALIAN: ReadonlySet<EventTextField> = new Set(['title', 'summary', 'description']);
export const VENUE_MAX = 200;
export const ADDRESS_MAX = 300;
export const REVIEW_NOTE_MAX = 1000;

type PerLocale = Record<Locale, string>;

/** What the form sends, as typed (kept to show the form again with its errors). */
export interface EventFormValues {
  title: PerLocale;
  summary: PerLocale;
  description: PerLocale;
  transitHint: PerLocale;
  priceNote: PerLocale;
  venue: string;
  address: string;
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  municipioId: string;
  organisationId: string;
  /** Seats families sign up for (issue #13); empty: no sign-up, "just come". */
  seats: string;
  /** Facts families filter on and the stops of an itinerary (issue #13, ./event-facts-form.ts). */
  facts: FactsFormValues;
}

/** The single-value fields, in page order after the texts. */
export const EVENT_FIELDS = [
  'venue',
  'address',
  'startDate',
  'startTime',
  'endDate',
  'endTime',
  'seats',
  'municipioId',
  'organisationId',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** The name (and id) of a per-locale field in the form: "title-it", "description-zh"… */
export const textFieldName = (field: EventTextField, locale: Locale) => `${field}-${locale}`;

/** Every field name of the form, in page order: also the order of the error summary. */
export const EVENT_FORM_ORDER: string[] = [
  ...EVENT_TEXT_FIELDS.map((f) => textFieldName(f, 'it')),
  ...EVENT_FIELDS,
  ...FACTS_FORM_ORDER,
  ...LOCALES.filter((l) => l !== 'it').flatMap((l) => EVENT_TEXT_FIELDS.map((f) => textFieldName(f, l))),
];

/** Every message key the form and the workflow can produce (the locale files must have them all). */
export const EVENT_ERROR_KEYS: string[] = [
  ...EVENT_TEXT_FIELDS.map((f) => `staff.event.error.${f}TooLong`),
  ...[...REQUIRED_ITALIAN].map((f) => `staff.event.error.${f}Required`),
  ...EVENT_TEXT_FIELDS.filter((f) => !REQUIRED_ITALIAN.has(f)).map((f) => `staff.event.error.${f}ItalianRequired`),
  ...['venue', 'address'].flatMap((f) => [`staff.event.error.${f}Required`, `staff.event.error.${f}TooLong`]),
  ...[
    'startDateRequired',
    'startDateInvalid',
    'startTimeRequired',
    'startTimeInvalid',
    'endDateInvalid',
    'endTimeInvalid',
    'endTimeRequired',
    'endBeforeStart',
    'seatsInvalid',
    // The workflow's, not the form's: fewer seats than families have already taken.
    'seatsBelowTaken',
  ].map((k) => `staff.event.error.${k}`),
  ...['municipioRequired', 'organisationInvalid', 'reviewNoteRequired', 'reviewNoteTooLong', 'invalid'].map(
    (k) => `staff.event.error.${k}`,
  ),
  ...FACTS_ERROR_KEYS,
];

/** Field name → message key. */
export type EventFormErrors = Record<string, string>;

/** What an event says to families: what the staff form edits and what staff pages read back. */
export interface EventContent {
  title: LocalizedText;
  summary: LocalizedText;
  description: LocalizedText;
  transitHint: LocalizedText | null;
  priceNote: LocalizedText | null;
  venue: string;
  address: string;
  startsAt: Date;
  endsAt: Date | null;
  /** Seats families sign up for; null: no sign-up ("just come", issue #13). */
  seats: number | null;
  facts: EventFacts;
  stops: EventStop[];
}

export interface EventInput extends EventContent {
  municipioId: number;
  /** The organisation that owns the event (its partners may edit it). Partners always get their own. */
  organisationId: number | null;
}

const emptyPerLocale = (): PerLocale => Object.fromEntries(LOCALES.map((l) => [l, ''])) as PerLocale;

export function emptyEventForm(
  defaults: { municipioId?: number | null; organisationId?: number | null } = {},
): EventFormValues {
  return {
    title: emptyPerLocale(),
    summary: emptyPerLocale(),
    description: emptyPerLocale(),
    transitHint: emptyPerLocale(),
    priceNote: emptyPerLocale(),
    venue: '',
    address: '',
    startDate: '',
    startTime: '',
    endDate: '',
    endTime: '',
    municipioId: defaults.municipioId ? String(defaults.municipioId) : '',
    organisationId: defaults.organisationId ? String(defaults.organisationId) : '',
    seats: '',
    facts: emptyFactsForm(),
  };
}

/** A field as posted, bounded: far more than any field allows is cut (the rules then say "too long"), never stored. */
const postedText = (value: unknown, max: number) => (typeof value === 'string' ? value.slice(0, max + 1000) : '');

/** The longest value each field of the form may send before it is cut (by field name). */
export function eventFieldBound(name: string): number {
  const text = EVENT_TEXT_FIELDS.find((f) => name.startsWith(`${f}-`));
  if (text) return EVENT_TEXT_LIMITS[text] + 1000;
  if (name === 'venue') return VENUE_MAX + 1000;
  if (name === 'address') return ADDRESS_MAX + 1000;
  return 40 + 1000;
}

/** Reads the form's fields by name (a FormData's, or the object an action parsed); missing ones read as empty. */
export function readEventFields(get: (name: string) => unknown): EventFormValues {
  const values = emptyEventForm();
  for (const field of EVENT_TEXT_FIELDS)
    for (const locale of LOCALES) {
      const name = textFieldName(field, locale);
      values[field][locale] = postedText(get(name), eventFieldBound(name) - 1000);
    }
  values.venue = postedText(get('venue'), VENUE_MAX);
  values.address = postedText(get('address'), ADDRESS_MAX);
  for (const f of ['startDate', 'startTime', 'endDate', 'endTime', 'seats', 'municipioId', 'organisationId'] as const)
    values[f] = postedText(get(f), 40);
  values.facts = readFactsFields(get);
  return values;
}

/** Reads the posted form; a body that is not a form reads as an empty one. */
export function readEventForm(form: FormData): EventFormValues {
  return readEventFields((name) => form.get(name));
}

const pad = (n: number) => String(n).padStart(2, '0');
const romeDay = (d: Date) => {
  const p = romeParts(d);
  return { date: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}` };
};

/** The form filled with an event as stored (Rome wall-clock dates and times). */
export function eventFormValues(event: StaffEvent): EventFormValues {
  const values = emptyEventForm({ municipioId: event.municipioId, organisationId: event.ownerOrganisationId });
  for (const field of EVENT_TEXT_FIELDS) {
    const text = event[field];
    if (text) for (const locale of LOCALES) values[field][locale] = text[locale] ?? '';
  }
  values.venue = event.venue;
  values.address = event.address;
  values.seats = event.seats === null ? '' : String(event.seats);
  values.facts = factsFormValues(event.facts, event.stops);
  const start = romeDay(event.startsAt);
  values.startDate = start.date;
  values.startTime = start.time;
  if (event.endsAt) {
    const end = romeDay(event.endsAt);
    values.endTime = end.time;
    if (end.date !== start.date) values.endDate = end.date;
  }
  return values;
}

// PostgreSQL refuses U+0000, and no control character belongs in a text: they are dropped (tab and
// newline survive in multi-line texts). Every other character — quotes, semicolons, "--", backslashes,
// angle brackets — is stored exactly as typed: values only ever travel as query parameters.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const cleanLine = (v: string) =>
  v
    .replace(/[\r\n\t]+/g, ' ')
    .replace(CONTROLS, '')
    .trim();
const cleanBlock = (v: string) => v.replace(/\r\n?/g, '\n').replace(CONTROLS, '').trim();

/** "2026-12-22" (what <input type="date"> sends) or "22/12/2026" (typed by hand). */
export function parseFormDate(value: string): { year: number; month: number; day: number } | undefined {
  const v = value.trim();
  const iso = parseDateOnly(v);
  if (iso) return iso;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  return m ? parseDateOnly(`${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`) : undefined;
}

/** "14:30" (what <input type="time"> sends), "9:05" or "14.30". */
export function parseFormTime(value: string): { hour: number; minute: number } | undefined {
  const m = /^(\d{1,2})[:.](\d{2})(?::00)?$/.exec(value.trim());
  if (!m) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

const localizedSchema = (field: EventTextField) => {
  const text = z
    .string()
    .transform(MULTILINE.has(field) ? cleanBlock : cleanLine)
    .pipe(z.string().max(EVENT_TEXT_LIMITS[field], { error: `staff.event.error.${field}TooLong` }));
  return z.object(Object.fromEntries(LOCALES.map((l) => [l, text])) as Record<Locale, typeof text>);
};

const lineSchema = (max: number, name: string) =>
  z
    .string()
    .transform(cleanLine)
    .pipe(
      z
        .string()
        .min(1, { error: `staff.event.error.${name}Required` })
        .max(max, { error: `staff.event.error.${name}TooLong` }),
    );

const eventFormSchema = z.object({
  title: localizedSchema('title'),
  summary: localizedSchema('summary'),
  description: localizedSchema('description'),
  transitHint: localizedSchema('transitHint'),
  priceNote: localizedSchema('priceNote'),
  venue: lineSchema(VENUE_MAX, 'venue'),
  address: lineSchema(ADDRESS_MAX, 'address'),
  startDate: z.string(),
  startTime: z.string(),
  endDate: z.string(),
  endTime: z.string(),
  municipioId: z.string(),
  organisationId: z.string(),
});

const compact = (text: PerLocale): LocalizedText | null => {
  if (!text.it) return null;
  const out: LocalizedText = { it: text.it };
  for (const l of LOCALES) if (l !== 'it' && text[l]) out[l] = text[l];
  return out;
};

export type EventCheck = { ok: true; value: EventInput } | { ok: false; errors: EventFormErrors };

/**
 * Validates the form. `municipi` and `organisations` are the choices the form offered: anything
 * else is refused as a field error.
 */
export function checkEventForm(
  values: EventFormValues,
  choices: { municipi: readonly number[]; organisations: readonly number[] },
): EventCheck {
  const errors: EventFormErrors = {};
  const add = (name: string, key: string) => (errors[name] ??= key);
  const parsed = eventFormSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path.map(String);
      const name =
        second && (EVENT_TEXT_FIELDS as readonly string[]).includes(first!)
          ? textFieldName(first as EventTextField, second as Locale)
          : first!;
      add(name, issue.message.startsWith('staff.event.error.') ? issue.message : 'staff.event.error.invalid');
    }
  }
  const v = parsed.success ? parsed.data : undefined;
  for (const field of EVENT_TEXT_FIELDS) {
    const clean = MULTILINE.has(field) ? cleanBlock : cleanLine;
    if (clean(values[field].it)) continue;
    if (REQUIRED_ITALIAN.has(field)) add(textFieldName(field, 'it'), `staff.event.error.${field}Required`);
    // Optional texts: the database needs Italian as soon as any language is written.
    else if (LOCALES.some((l) => clean(values[field][l])))
      add(textFieldName(field, 'it'), `staff.event.error.${field}ItalianRequired`);
  }

  const day = parseFormDate(values.startDate);
  const time = parseFormTime(values.startTime);
  if (!values.startDate.trim()) add('startDate', 'staff.event.error.startDateRequired');
  else if (!day || day.year < 2000 || day.year > 2100) add('startDate', 'staff.event.error.startDateInvalid');
  if (!values.startTime.trim()) add('startTime', 'staff.event.error.startTimeRequired');
  else if (!time) add('startTime', 'staff.event.error.startTimeInvalid');
  const endDay = values.endDate.trim() ? parseFormDate(values.endDate) : day;
  const endTime = values.endTime.trim() ? parseFormTime(values.endTime) : undefined;
  if (values.endDate.trim() && (!endDay || endDay.year < 2000 || endDay.year > 2100))
    add('endDate', 'staff.event.error.endDateInvalid');
  if (values.endTime.trim() && !endTime) add('endTime', 'staff.event.error.endTimeInvalid');
  if (values.endDate.trim() && !values.endTime.trim()) add('endTime', 'staff.event.error.endTimeRequired');
  let startsAt: Date | undefined;
  let endsAt: Date | null = null;
  if (day && time) startsAt = romeToInstant(day.year, day.month, day.day, time.hour, time.minute);
  if (startsAt && endDay && endTime) {
    endsAt = romeToInstant(endDay.year, endDay.month, endDay.day, endTime.hour, endTime.minute);
    if (endsAt.getTime() <= startsAt.getTime()) add('endTime', 'staff.event.error.endBeforeStart');
  }

  // Seats: a whole number 1–100000 (Arabic-Indic digits read as 0–9), or empty for "just come".
  const seatsText = toLatinDigits(values.seats).trim();
  const seats = seatsText === '' ? null : /^[0-9]{1,6}$/.test(seatsText) ? Number(seatsText) : NaN;
  if (seats !== null && !(seats >= 1 && seats <= 100000)) add('seats', 'staff.event.error.seatsInvalid');

  const municipioId = /^\d{1,2}$/.test(values.municipioId.trim()) ? Number(values.municipioId.trim()) : NaN;
  if (!choices.municipi.includes(municipioId)) add('municipioId', 'staff.event.error.municipioRequired');
  const organisationText = values.organisationId.trim();
  const organisationId = organisationText
    ? /^\d{1,9}$/.test(organisationText)
      ? Number(organisationText)
      : NaN
    : null;
  if (organisationId !== null && !choices.organisations.includes(organisationId))
    add('organisationId', 'staff.event.error.organisationInvalid');

  const facts = checkFactsForm(values.facts);
  if (!facts.ok) for (const [name, key] of Object.entries(facts.errors)) add(name, key);

  if (Object.keys(errors).length > 0 || !v || !startsAt || !facts.ok)
    return {
      ok: false,
      errors: Object.keys(errors).length ? errors : { 'title-it': 'staff.event.error.titleRequired' },
    };
  return {
    ok: true,
    value: {
      title: compact(v.title)!,
      summary: compact(v.summary)!,
      description: compact(v.description)!,
      transitHint: compact(v.transitHint),
      priceNote: compact(v.priceNote),
      venue: v.venue,
      address: v.address,
      startsAt,
      endsAt,
      seats,
      municipioId,
      organisationId,
      facts: facts.facts,
      stops: facts.stops,
    },
  };
}

/** The reason a moderator gives when sending an event back: required, at most 1000 characters. */
export function checkReviewNote(value: unknown): { ok: true; value: string } | { ok: false; error: string } {
  const note = typeof value === 'string' ? cleanBlock(value.slice(0, REVIEW_NOTE_MAX + 1000)) : '';
  if (!note) return { ok: false, error: 'staff.event.error.reviewNoteRequired' };
  if (note.length > REVIEW_NOTE_MAX) return { ok: false, error: 'staff.event.error.reviewNoteTooLong' };
  return { ok: true, value: note };
}

/**
 * The error summary of the form, in page order: a field of another language than Italian is named
 * with its language ("English: the title is too long").
 */
export function eventErrorSummary(
  errors: EventFormErrors,
  t: (key: string) => string,
  order: readonly string[] = EVENT_FORM_ORDER,
): { href: string; text: string }[] {
  return order
    .filter((name) => errors[name])
    .map((name) => {
      const l = LOCALES.find((locale) => name.endsWith(`-${locale}`));
      return { href: `#${name}`, text: l && l !== 'it' ? `${LOCALE_NAMES[l]}: ${t(errors[name]!)}` : t(errors[name]!) };
    });
}
