// What a family needs before going to a desk (issue #14): languages spoken, the days a cultural
// mediator is there, step-free access, what to bring, the nearest lines and the coordinates behind
// the map links. Staff edit them in the desk's settings (agenda.saveFacts); this file holds the
// form's rules (zod, message keys `staff.desk.error.*`) and the one write. Authorization is the
// caller's (`can(actor, {kind: 'desk.settings'})`).
import { z } from 'astro/zod';
import type { Db } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { languageCodes, issueKeys } from '#/lib/validation.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import type { DeskFacts } from './desks.ts';

export const WHAT_TO_BRING_MAX = 500;
export const TRANSIT_MAX = 200;
const LANGUAGES_MAX = 12;
export const mediatorField = (weekday: number) => `mediator-${weekday}`;
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** The form's fields, in page order (the error summary's order). */
export const DESK_FACTS_FIELDS = [
  'languages',
  'transit',
  'latitude',
  'longitude',
  ...WEEKDAYS.map(mediatorField),
  'stepFree',
  'whatToBring',
] as const;
export type DeskFactsForm = Record<(typeof DESK_FACTS_FIELDS)[number], string>;

const E = (k: string) => `staff.desk.error.${k}`;
const line = (max: number, key: string) =>
  z
    .string()
    .transform((v) => v.replace(/[\u0000-\u001F\u007F-\u009F]+/g, ' ').trim())
    .pipe(z.string().max(max, { error: E(key) }));
/** Decimal degrees with a point or a comma ("45,5137"), within ±`limit`; empty is none. */
const degrees = (limit: number, key: string) =>
  z
    .string()
    .transform((v) => v.trim().replace(',', '.'))
    .refine((v) => v === '' || (/^-?\d{1,3}(\.\d{1,7})?$/.test(v) && Math.abs(Number(v)) <= limit), {
      error: E(key),
    });

const factsSchema = z.object({
  languages: languageCodes(E('languagesInvalid'), LANGUAGES_MAX).refine((v) => v.length > 0, {
    error: E('languagesInvalid'),
  }),
  stepFree: z.enum(['', 'yes', 'no'], { error: E('stepFreeInvalid') }),
  whatToBring: line(WHAT_TO_BRING_MAX, 'whatToBringTooLong'),
  transit: line(TRANSIT_MAX, 'transitTooLong'),
  latitude: degrees(90, 'coordinatesInvalid'),
  longitude: degrees(180, 'coordinatesInvalid'),
});

/** The values a staff member types, checked: the facts to store, or field → message key. */
export type CheckedFacts = Omit<DeskFacts, 'isSample' | 'whatToBring'> & { whatToBring: string };
export function checkDeskFacts(
  form: DeskFactsForm,
): { ok: true; value: CheckedFacts } | { ok: false; errors: Record<string, string> } {
  const parsed = factsSchema.safeParse(form);
  const errors: Record<string, string> = parsed.success
    ? {}
    : Object.fromEntries(issueKeys(parsed.error.issues, 'staff.desk.error.', DESK_FACTS_FIELDS));
  if (parsed.success && (parsed.data.latitude === '') !== (parsed.data.longitude === ''))
    errors[parsed.data.latitude === '' ? 'latitude' : 'longitude'] = E('coordinatesTogether');
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const d = parsed.data;
  return {
    ok: true,
    value: {
      languages: d.languages,
      mediatorWeekdays: WEEKDAYS.filter((w) => form[mediatorField(w)] === '1'),
      stepFree: d.stepFree === '' ? null : d.stepFree === 'yes',
      whatToBring: d.whatToBring,
      transit: d.transit || null,
      coordinates: d.latitude === '' ? null : { latitude: Number(d.latitude), longitude: Number(d.longitude) },
    },
  };
}

/** The form filled with a desk's facts as stored. */
export function deskFactsFormValues(facts: DeskFacts): DeskFactsForm {
  return {
    languages: facts.languages.join(', '),
    ...(Object.fromEntries(
      WEEKDAYS.map((w) => [mediatorField(w), facts.mediatorWeekdays.includes(w) ? '1' : '']),
    ) as Record<`mediator-${number}`, string>),
    stepFree: facts.stepFree === null ? '' : facts.stepFree ? 'yes' : 'no',
    whatToBring: facts.whatToBring?.it ?? '',
    transit: facts.transit ?? '',
    latitude: facts.coordinates ? String(facts.coordinates.latitude) : '',
    longitude: facts.coordinates ? String(facts.coordinates.longitude) : '',
  } as DeskFactsForm;
}

/**
 * Stores the facts and marks them confirmed (no longer sample values): staff who save them vouch for
 * them. "What to bring" is written in Italian; when that text changes its translations are dropped,
 * so a reader of another language sees the new text marked "(only in Italian)" rather than an old
 * translation that says something else.
 */
export async function updateDeskFacts(
  db: Db,
  deskId: number,
  facts: CheckedFacts,
  options: { actorUserId: number },
): Promise<{ ok: boolean }> {
  return runInTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('desk')
      .select(['what_to_bring'])
      .where('id', '=', deskId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return { ok: false };
    const kept = before.what_to_bring;
    const whatToBring: LocalizedText | null =
      facts.whatToBring === '' ? null : kept?.it === facts.whatToBring ? kept : { it: facts.whatToBring };
    await trx
      .updateTable('desk')
      .set({
        languages: facts.languages,
        mediator_weekdays: facts.mediatorWeekdays,
        step_free: facts.stepFree,
        what_to_bring: whatToBring === null ? null : JSON.stringify(whatToBring),
        transit: facts.transit,
        latitude: facts.coordinates?.latitude ?? null,
        longitude: facts.coordinates?.longitude ?? null,
        facts_are_sample: false,
      })
      .where('id', '=', deskId)
      .execute();
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'desk.facts_changed',
      subject: `desk:${deskId}`,
    });
    return { ok: true };
  });
}
