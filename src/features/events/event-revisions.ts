// A published event's pending change (issue #15): the edit waits in event_revision as the form's
// values (field name → text, the names of EVENT_FORM_ORDER) while the published version stays live;
// a moderator sees it field by field (old → new) and approves it or sends it back. The form is kept
// rather than columns so that any field the event form gains travels with no code here: it is read
// back with readEventFields and checked again with checkEventForm when approved.
import type { Db } from '#/server/db/database.ts';
import { LOCALES, LOCALE_NAMES, type Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import {
  EVENT_FORM_ORDER,
  EVENT_TEXT_FIELDS,
  eventFormValues,
  readEventFields,
  type EventFormValues,
  type EventTextField,
} from './event-form.ts';
import type { StaffEvent } from './staff-events.ts';

export interface PendingRevision {
  eventId: number;
  values: Record<string, string>;
  municipioId: number | null;
  submittedAt: Date;
}

/** The form as a flat map of its field names ("title-en", "startDate"…): what is stored and compared. */
export function flattenEventForm(values: EventFormValues): Record<string, string> {
  const flat: Record<string, string> = {};
  const byName = values as unknown as Record<string, unknown>;
  for (const name of EVENT_FORM_ORDER) {
    const text = EVENT_TEXT_FIELDS.find((f) => name.startsWith(`${f}-`));
    // The facts and stops (issue #13) sit in their own part of the form, by field name too.
    const value = text
      ? values[text][name.slice(text.length + 1) as Locale]
      : name in values.facts
        ? values.facts[name]
        : byName[name];
    flat[name] = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  }
  return flat;
}

/** The stored change read back as the form (missing names read as empty, as a posted form does). */
export const revisionFormValues = (revision: PendingRevision): EventFormValues =>
  readEventFields((name) => revision.values[name] ?? '');

export async function getPendingRevision(db: Db, eventId: number): Promise<PendingRevision | undefined> {
  const row = await db
    .selectFrom('event_revision')
    .select(['event_id', 'form_values', 'municipio_id', 'submitted_at'])
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  if (!row) return undefined;
  const raw: unknown = typeof row.form_values === 'string' ? JSON.parse(row.form_values) : row.form_values;
  const values: Record<string, string> = {};
  if (raw && typeof raw === 'object')
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') values[k] = v;
  return { eventId: row.event_id, values, municipioId: row.municipio_id, submittedAt: row.submitted_at };
}

/** Which of these events have a change waiting for review. */
export async function eventsWithChangeWaiting(db: Db, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('event_revision')
    .select('event_id')
    .where('event_id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.event_id));
}

export interface FieldChange {
  name: string;
  before: string;
  after: string;
}

/** What the change would alter, field by field in the form's order (any further stored field after). */
export function revisionChanges(event: StaffEvent, revision: PendingRevision): FieldChange[] {
  const before = flattenEventForm(eventFormValues(event));
  const after = flattenEventForm(revisionFormValues(revision));
  const names = [...EVENT_FORM_ORDER, ...Object.keys(revision.values).filter((n) => !EVENT_FORM_ORDER.includes(n))];
  return names
    .map((name) => ({ name, before: before[name] ?? '', after: after[name] ?? revision.values[name] ?? '' }))
    .filter((c) => c.before.trim() !== c.after.trim());
}

const SINGLE_LABELS: Record<string, string> = { municipioId: 'municipio', organisationId: 'organisation' };

/** "Title (English)", "Start date": the label the form gives the field. */
export function fieldLabel(name: string, t: Translate): string {
  const text = EVENT_TEXT_FIELDS.find((f) => name.startsWith(`${f}-`)) as EventTextField | undefined;
  if (text) {
    const locale = name.slice(text.length + 1) as Locale;
    const label = t(`staff.event.field.${text}`);
    return LOCALES.includes(locale) ? `${label} (${LOCALE_NAMES[locale]})` : label;
  }
  return t(`staff.event.field.${SINGLE_LABELS[name] ?? name}`);
}

/** /{locale}/staff/eventi/{id}/anteprima: the public page as it would look, in any of the site's languages. */
export const eventPreviewPath = (locale: Locale, eventId: number) => `/${locale}/staff/eventi/${eventId}/anteprima`;
