// Partners and coordinators writing events: the form (read, validated with zod into message keys
// "staff.event.error.*"), the staff read side, and the review workflow
//
//   draft ──submit──▶ submitted ──publish──▶ published ──cancel──▶ cancelled
//     ▲                  │   ▲                   │
//     └───send back──────┘   └──── edit ─────────┘   (an edit of a published event goes back to review)
//
// Authorization is `can` (src/features/staff-accounts/policy.ts) on the event as loaded. Every write is then one
// UPDATE whose WHERE repeats what was checked: the expected status(es) and the municipio and owner
// `can` was asked about. So two moderators cannot both publish (the second finds no row), and an
// event moved out of someone's scope between the check and the write is not written.
// Publish, send back and cancel leave an audit row in the same transaction.
import { z } from 'astro/zod';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { Database, Db, EventStatus, EventTable } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { LOCALES, type Locale, type LocalizedText } from '#/lib/locales.ts';
import { parseDateOnly, romeParts, romeToInstant } from '#/lib/time.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { slugify } from '#/lib/text.ts';

// ---------------------------------------------------------------------------------------------
// The form

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
}

/** The single-value fields, in page order after the texts. */
export const EVENT_FIELDS = [
  'venue',
  'address',
  'startDate',
  'startTime',
  'endDate',
  'endTime',
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
  ].map((k) => `staff.event.error.${k}`),
  ...['municipioRequired', 'organisationInvalid', 'reviewNoteRequired', 'reviewNoteTooLong', 'invalid'].map(
    (k) => `staff.event.error.${k}`,
  ),
];

/** Field name → message key. */
export type EventFormErrors = Record<string, string>;

export interface EventInput {
  title: LocalizedText;
  summary: LocalizedText;
  description: LocalizedText;
  transitHint: LocalizedText | null;
  priceNote: LocalizedText | null;
  venue: string;
  address: string;
  startsAt: Date;
  endsAt: Date | null;
  municipioId: number;
  /** The organisation that owns the event (its partners may edit it). Partners always get their own. */
  organisationId: number | null;
}

const emptyPerLocale = (): PerLocale => ({ it: '', en: '', ar: '', es: '', zh: '' });

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
  };
}

const formText = (form: FormData, name: string, max: number) => {
  const v = form.get(name);
  // Far more than any field allows is cut (the schema then says "too long"), never stored.
  return typeof v === 'string' ? v.slice(0, max + 1000) : '';
};

/** Reads the posted form; a body that is not a form reads as an empty one. */
export function readEventForm(form: FormData): EventFormValues {
  const values = emptyEventForm();
  for (const field of EVENT_TEXT_FIELDS)
    for (const locale of LOCALES)
      values[field][locale] = formText(form, textFieldName(field, locale), EVENT_TEXT_LIMITS[field]);
  values.venue = formText(form, 'venue', VENUE_MAX);
  values.address = formText(form, 'address', ADDRESS_MAX);
  for (const f of ['startDate', 'startTime', 'endDate', 'endTime', 'municipioId', 'organisationId'] as const)
    values[f] = formText(form, f, 40);
  return values;
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
  return z.object({ it: text, en: text, ar: text, es: text, zh: text } satisfies Record<Locale, typeof text>);
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

  if (Object.keys(errors).length > 0 || !v || !startsAt)
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
      municipioId,
      organisationId,
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

// ---------------------------------------------------------------------------------------------
// Staff read side

export interface StaffEvent {
  id: number;
  slug: string;
  status: EventStatus;
  municipioId: number | null;
  ownerOrganisationId: number | null;
  ownerName: string | null;
  title: LocalizedText;
  summary: LocalizedText;
  description: LocalizedText;
  transitHint: LocalizedText | null;
  priceNote: LocalizedText | null;
  venue: string;
  address: string;
  startsAt: Date;
  endsAt: Date | null;
  reviewNote: string | null;
  submittedAt: Date | null;
  updatedAt: Date;
}

type EventRow = Selectable<EventTable> & { owner_name: string | null };

function baseQuery(db: Db) {
  return db
    .selectFrom('event')
    .leftJoin('organisation', 'organisation.id', 'event.owner_organisation_id')
    .selectAll('event')
    .select('organisation.name as owner_name');
}

function toStaffEvent(r: EventRow): StaffEvent {
  return {
    id: r.id,
    slug: r.slug,
    status: r.status,
    municipioId: r.municipio_id,
    ownerOrganisationId: r.owner_organisation_id,
    ownerName: r.owner_name,
    title: r.title,
    summary: r.summary,
    description: r.description,
    transitHint: r.transit_hint,
    priceNote: r.price_note,
    venue: r.venue,
    address: r.address,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    reviewNote: r.review_note,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
  };
}

/** Any event by id, whatever its status: the caller checks `can` before showing anything. */
export async function getEventForStaff(db: Db, id: number): Promise<StaffEvent | undefined> {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647) return undefined;
  const row = await baseQuery(db).where('event.id', '=', id).executeTakeFirst();
  return row && toStaffEvent(row);
}

const policyEvent = (e: { ownerOrganisationId: number | null; municipioId: number | null }) => ({
  ownerOrganisationId: e.ownerOrganisationId,
  municipioId: e.municipioId,
});
export const canEditEvent = (actor: Actor, e: StaffEvent) => can(actor, { kind: 'event.edit', event: policyEvent(e) });
export const canModerateEvent = (actor: Actor, e: StaffEvent) =>
  can(actor, { kind: 'event.moderate', event: policyEvent(e) });

/** What the actor may do with the event now (buttons are shown only for these). */
export function eventActions(actor: Actor, e: StaffEvent) {
  const edit = canEditEvent(actor, e);
  const moderate = canModerateEvent(actor, e);
  return {
    view: edit || moderate,
    edit: edit && e.status !== 'cancelled',
    submit: edit && e.status === 'draft',
    publish: moderate && e.status === 'submitted',
    sendBack: moderate && e.status === 'submitted',
    cancel: (edit || moderate) && e.status === 'published',
  };
}

/** Events the actor may edit or moderate, soonest-starting last (newest plans first). */
export async function listEventsForActor(db: Db, actor: Actor, limit = 500): Promise<StaffEvent[]> {
  let query = baseQuery(db).orderBy('event.starts_at', 'desc').orderBy('event.id', 'desc').limit(limit);
  if (actor.role === 'coordinator') {
    if (actor.municipi.length === 0) return [];
    query = query.where('event.municipio_id', 'in', [...actor.municipi]);
  } else if (actor.role === 'partner_editor') {
    if (actor.organisationId === null) return [];
    query = query.where('event.owner_organisation_id', '=', actor.organisationId);
  } else if (actor.role !== 'admin') {
    return [];
  }
  return (await query.execute()).map(toStaffEvent).filter((e) => eventActions(actor, e).view);
}

/** Municipi the actor may create events in (ids of `all`). */
export function municipiForNewEvents(actor: Actor, all: readonly number[]): number[] {
  const organisationId = actor.role === 'partner_editor' ? actor.organisationId : null;
  return all.filter((m) => can(actor, { kind: 'event.create', organisationId, municipioId: m }));
}

export async function listOrganisations(db: Db): Promise<{ id: number; name: string; municipioId: number | null }[]> {
  const rows = await db.selectFrom('organisation').select(['id', 'name', 'municipio_id']).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, municipioId: r.municipio_id }));
}

// ---------------------------------------------------------------------------------------------
// Writes

/** Route-cache tags of the public pages that show an event (see src/server/cache/live-page.ts). */
export const publicEventTags = (slug: string) => ['events', `event:${slug}`];

export type EventWriteError = 'not_found' | 'forbidden' | 'conflict';
export type EventChange =
  | {
      ok: true;
      event: StaffEvent;
      /** Tags to invalidate: the public pages changed. */ cacheTags: string[];
      backToReview: boolean;
    }
  | { ok: false; error: EventWriteError };

/** "festa-di-natale-2026": the Italian title (cut at 80 characters) and the year in Rome. */
export function eventSlugBase(title: string, startsAt: Date): string {
  const words = slugify(title).slice(0, 80).replace(/-+$/, '') || 'evento';
  return `${words}-${romeParts(startsAt).year}`;
}

async function freeSlug(db: Db, base: string): Promise<string> {
  const taken = new Set(
    (
      await db
        .selectFrom('event')
        .select('slug')
        .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
        .execute()
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

const json = (text: LocalizedText | null) => (text ? JSON.stringify(text) : null);

function contentColumns(input: EventInput) {
  return {
    municipio_id: input.municipioId,
    title: json(input.title)!,
    summary: json(input.summary)!,
    description: json(input.description)!,
    transit_hint: json(input.transitHint),
    price_note: json(input.priceNote),
    venue: input.venue,
    address: input.address,
    starts_at: input.startsAt,
    ends_at: input.endsAt,
  };
}

/** The owner an actor gives an event: partners always their own organisation. */
const ownerFor = (actor: Actor, input: EventInput) =>
  actor.role === 'partner_editor' ? actor.organisationId : input.organisationId;

/**
 * A new draft. Its slug comes from the Italian title and the year and never changes afterwards
 * (published addresses stay valid); two drafts racing for the same slug retry with a suffix.
 */
/**
 * A real municipio the actor may not write for: a refusal (403, nothing changed), not a form error,
 * so that the authorization matrix sees the same answer whatever the form says.
 */
export function namesForbiddenMunicipio(values: EventFormValues, allowed: readonly number[]): boolean {
  const raw = values.municipioId.trim();
  return /^[1-9]$/.test(raw) && !allowed.includes(Number(raw));
}

export async function createEvent(
  db: Db,
  actor: Actor,
  input: EventInput,
  now: Date = new Date(),
): Promise<{ ok: true; event: StaffEvent } | { ok: false; error: 'forbidden' }> {
  const owner = ownerFor(actor, input);
  if (!can(actor, { kind: 'event.create', organisationId: owner, municipioId: input.municipioId }))
    return { ok: false, error: 'forbidden' };
  const base = eventSlugBase(input.title.it, input.startsAt);
  for (let attempt = 0; ; attempt++) {
    try {
      const id = await runInTransaction(db, async (trx) => {
        const row = await trx
          .insertInto('event')
          .values({
            ...contentColumns(input),
            slug: await freeSlug(trx, base),
            status: 'draft',
            owner_organisation_id: owner,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (owner !== null)
          await trx.insertInto('event_organiser').values({ event_id: row.id, organisation_id: owner }).execute();
        return row.id;
      });
      return { ok: true, event: (await getEventForStaff(db, id))! };
    } catch (error) {
      // Another draft took the slug between our look-up and our insert: look again.
      if (!isUniqueViolation(error) || db.isTransaction || attempt >= 4) throw error;
    }
  }
}

/** The WHERE that pins what `can` was asked about: the event's municipio and owner as loaded. */
function sameScope(e: StaffEvent) {
  return (eb: ExpressionBuilder<Database, 'event'>): Expression<SqlBool> =>
    eb.and([
      eb('event.municipio_id', 'is not distinct from', e.municipioId),
      eb('event.owner_organisation_id', 'is not distinct from', e.ownerOrganisationId),
    ]);
}

/**
 * Saves the form over an event. Drafts and submitted events keep their status; a published event
 * goes back to review ("submitted") and leaves the public pages until a moderator publishes it again.
 * Cancelled events are not edited.
 */
export async function updateEvent(
  db: Db,
  actor: Actor,
  id: number,
  input: EventInput,
  now: Date = new Date(),
): Promise<EventChange> {
  const current = await getEventForStaff(db, id);
  if (!current) return { ok: false, error: 'not_found' };
  if (!canEditEvent(actor, current)) return { ok: false, error: 'forbidden' };
  const owner = actor.role === 'partner_editor' ? current.ownerOrganisationId : input.organisationId;
  // The event as it will be must stay within the actor's reach too (no moving it to another municipio).
  if (!can(actor, { kind: 'event.edit', event: { ownerOrganisationId: owner, municipioId: input.municipioId } }))
    return { ok: false, error: 'forbidden' };
  if (current.status === 'cancelled') return { ok: false, error: 'conflict' };
  const wasPublished = current.status === 'published';
  const updated = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('event')
      .set({
        ...contentColumns(input),
        owner_organisation_id: owner,
        status: wasPublished ? 'submitted' : current.status,
        submitted_at: wasPublished ? now : current.submittedAt,
        updated_at: now,
      })
      .where('event.id', '=', id)
      .where('event.status', '=', current.status)
      .where(sameScope(current))
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    if (owner !== current.ownerOrganisationId) {
      if (current.ownerOrganisationId !== null)
        await trx
          .deleteFrom('event_organiser')
          .where('event_id', '=', id)
          .where('organisation_id', '=', current.ownerOrganisationId)
          .execute();
      if (owner !== null)
        await trx
          .insertInto('event_organiser')
          .values({ event_id: id, organisation_id: owner })
          .onConflict((oc) => oc.doNothing())
          .execute();
    }
    if (wasPublished)
      await writeAudit(trx, {
        actorUserId: actor.id,
        action: 'event.edit_published',
        subject: `event:${current.slug}`,
        detail: { id },
      });
    return true;
  });
  if (!updated) return { ok: false, error: 'conflict' };
  return {
    ok: true,
    event: (await getEventForStaff(db, id))!,
    cacheTags: wasPublished ? publicEventTags(current.slug) : [],
    backToReview: wasPublished,
  };
}

interface TransitionSpec {
  allowed: (actor: Actor, e: StaffEvent) => boolean;
  from: EventStatus[];
  to: EventStatus;
  set?: (now: Date) => { review_note?: string | null; submitted_at?: Date };
  audit?: { action: string; detail?: Record<string, unknown> };
  public: boolean;
}

async function transition(db: Db, actor: Actor, id: number, spec: TransitionSpec, now: Date): Promise<EventChange> {
  const current = await getEventForStaff(db, id);
  if (!current) return { ok: false, error: 'not_found' };
  if (!spec.allowed(actor, current)) return { ok: false, error: 'forbidden' };
  const done = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('event')
      .set({ status: spec.to, updated_at: now, ...spec.set?.(now) })
      .where('event.id', '=', id)
      .where('event.status', 'in', spec.from)
      .where(sameScope(current))
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    if (spec.audit)
      await writeAudit(trx, {
        actorUserId: actor.id,
        action: spec.audit.action,
        subject: `event:${current.slug}`,
        detail: { id, from: current.status, ...spec.audit.detail },
      });
    return true;
  });
  if (!done) return { ok: false, error: 'conflict' };
  return {
    ok: true,
    event: (await getEventForStaff(db, id))!,
    cacheTags: spec.public ? publicEventTags(current.slug) : [],
    backToReview: false,
  };
}

/** draft → submitted, by whoever may edit the event. */
export function submitEvent(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<EventChange> {
  return transition(
    db,
    actor,
    id,
    { allowed: canEditEvent, from: ['draft'], to: 'submitted', set: (at) => ({ submitted_at: at }), public: false },
    now,
  );
}

/** submitted → published, by a moderator (coordinator of the municipio, admin). */
export function publishEvent(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<EventChange> {
  return transition(
    db,
    actor,
    id,
    {
      allowed: canModerateEvent,
      from: ['submitted'],
      to: 'published',
      set: () => ({ review_note: null }),
      audit: { action: 'event.publish' },
      public: true,
    },
    now,
  );
}

/** submitted → draft with the moderator's reason, shown to the partner. */
export async function sendBackEvent(
  db: Db,
  actor: Actor,
  id: number,
  note: unknown,
  now: Date = new Date(),
): Promise<EventChange | { ok: false; error: 'invalid'; message: string }> {
  const current = await getEventForStaff(db, id);
  if (!current) return { ok: false, error: 'not_found' };
  if (!canModerateEvent(actor, current)) return { ok: false, error: 'forbidden' };
  const checked = checkReviewNote(note);
  if (!checked.ok) return { ok: false, error: 'invalid', message: checked.error };
  return transition(
    db,
    actor,
    id,
    {
      allowed: canModerateEvent,
      from: ['submitted'],
      to: 'draft',
      set: () => ({ review_note: checked.value }),
      audit: { action: 'event.send_back', detail: { note: checked.value } },
      public: false,
    },
    now,
  );
}

/** published → cancelled: the event stays on the public pages, marked as cancelled. */
export function cancelEvent(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<EventChange> {
  return transition(
    db,
    actor,
    id,
    {
      allowed: (a, e) => canEditEvent(a, e) || canModerateEvent(a, e),
      from: ['published'],
      to: 'cancelled',
      audit: { action: 'event.cancel' },
      public: true,
    },
    now,
  );
}
