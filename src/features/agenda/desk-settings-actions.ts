// The forms of a desk's settings page (/{locale}/staff/agenda/{desk}/impostazioni) as Astro
// Actions: slot length, capacity and booking window; the weekly hours (replaced as a whole);
// closures and extra openings (added one at a time, each removable). Each asks
// `can(desk.settings)` on the desk of the address first (deskOfForm), then calls one function of
// this feature, invalidates the public pages that show the desk's hours and slots, and answers 303
// back with a notice (?fatto=…). A form with errors, or a removal of something already gone, keeps
// its answers in the staff draft (the kept `intent` says which form) for the page's GET.
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, notFoundPage } from '#/server/actions/form-action.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { ALREADY_REMOVED, SETTINGS_DONE, deskSettingsForm, deskSettingsHref } from './agenda-paths.ts';
import { DESK_SETTINGS_FIELDS, checkDeskSettings, updateDeskSettings } from './desk-settings.ts';
import { checkWeeklyHours, hourKeysFor, replaceWeeklyHours } from './weekly-hours.ts';
import { addClosure, addExtraOpening, removeClosure, removeExtraOpening } from './closures.ts';
import { deskOfForm } from './desk-of-form.ts';
import { DESK_FACTS_FIELDS, checkDeskFacts, updateDeskFacts } from '#/features/desks/desk-facts.ts';

const slot = (context: ActionAPIContext) => deskSettingsForm(context.params.desk ?? '');
const common = { slot, messages: 'staff.desk.error.', gate: staffOf } as const;
const intent = optionalField(20);

/** The change is made: the public pages of the desk forget it, and the page says so (counts only). */
async function finished(
  context: ActionAPIContext,
  desk: Desk,
  what: (typeof SETTINGS_DONE)[number],
  counts: Record<string, number> = {},
  eventSlugs: readonly string[] = [],
) {
  // Dates of the desk's activities cancelled by a closure: the event pages and lists forget them too.
  const eventTags = eventSlugs.length > 0 ? [CACHE_TAGS.events, ...eventSlugs.map((s) => `event:${s}`)] : [];
  await invalidateLiveData(context, [CACHE_TAGS.desks, `desk:${desk.slug}`, CACHE_TAGS.slots(desk.slug), ...eventTags]);
  const params = new URLSearchParams({ fatto: what });
  for (const [k, v] of Object.entries(counts)) if (v > 0) params.set(k, String(v));
  return { location: `${deskSettingsHref(context.locals.locale, desk.slug)}?${params}` };
}

const removed = () => new FormRefused({ notice: ALREADY_REMOVED, status: 404 });

export const deskSettingsActions = {
  saveSettings: defineFormAction({
    ...common,
    input: z.object({
      intent,
      slotMinutes: optionalField(20),
      capacityPerSlot: optionalField(20),
      minNoticeMinutes: optionalField(20),
      maxDaysAhead: optionalField(20),
    }),
    fields: DESK_SETTINGS_FIELDS,
    handler: async (fields, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const checked = checkDeskSettings(fields);
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const result = await updateDeskSettings(db, desk.id, checked.value, { actorUserId: staff.user.id });
      if (!result.ok) throw notFoundPage();
      return finished(context, desk, 'settings', { sopra: result.slotsKeptAboveCapacity });
    },
  }),

  /** What a family needs before going (#14): languages, mediator days, access, what to bring, lines, map. */
  saveFacts: defineFormAction({
    ...common,
    input: z.object({ intent, ...Object.fromEntries(DESK_FACTS_FIELDS.map((f) => [f, optionalField(1000)])) }),
    fields: DESK_FACTS_FIELDS,
    handler: async (fields, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const checked = checkDeskFacts(fields as Parameters<typeof checkDeskFacts>[0]);
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const result = await updateDeskFacts(db, desk.id, checked.value, { actorUserId: staff.user.id });
      if (!result.ok) throw notFoundPage();
      return finished(context, desk, 'facts');
    },
  }),

  /** The whole week at once: `opens-<weekday>-<n>`, `closes-<weekday>-<n>` (both empty: no interval). */
  saveHours: defineFormAction({
    ...common,
    input: z.object({ intent }).catchall(optionalField(20)),
    handler: async (fields, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const checked = checkWeeklyHours(
        hourKeysFor(desk.hours).map(({ key, weekday }) => ({
          key,
          weekday,
          opens: fields[`opens-${key}`] ?? '',
          closes: fields[`closes-${key}`] ?? '',
        })),
      );
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const result = await replaceWeeklyHours(db, desk.id, checked.value, { actorUserId: staff.user.id });
      if (!result.ok) throw notFoundPage();
      return finished(context, desk, 'hours');
    },
  }),

  addClosure: defineFormAction({
    ...common,
    input: z.object({ intent, closureDay: optionalField(20), closureReason: optionalField(1000) }),
    fields: ['closureDay', 'closureReason'],
    handler: async ({ closureDay, closureReason }, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const by = { actorUserId: staff.user.id };
      const result = await addClosure(db, desk.id, { day: closureDay, reason: closureReason }, by);
      if (result.ok)
        return finished(
          context,
          desk,
          'closureAdded',
          {
            prenotazioni: result.bookingsOnDay,
            attivita: result.series?.cancelled ?? 0,
            iscritti: result.series?.parties ?? 0,
          },
          result.series?.slugs,
        );
      if ('reason' in result) throw notFoundPage();
      throw new FormRefused({ errors: result.errors });
    },
  }),

  removeClosure: defineFormAction({
    ...common,
    input: z.object({ intent, closure: recordId('staff.desk.error.closureInvalid') }),
    invalid: 'bad-request',
    handler: async ({ closure }, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const result = await removeClosure(db, desk.id, closure, { actorUserId: staff.user.id });
      if (!result.ok) throw removed();
      return finished(context, desk, 'closureRemoved');
    },
  }),

  addExtraOpening: defineFormAction({
    ...common,
    input: z.object({
      intent,
      extraDay: optionalField(20),
      extraOpens: optionalField(20),
      extraCloses: optionalField(20),
    }),
    fields: ['extraDay', 'extraOpens', 'extraCloses'],
    handler: async ({ extraDay, extraOpens, extraCloses }, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const input = { day: extraDay, opens: extraOpens, closes: extraCloses };
      const result = await addExtraOpening(db, desk.id, input, { actorUserId: staff.user.id });
      if (result.ok) return finished(context, desk, 'extraAdded');
      if ('reason' in result) throw notFoundPage();
      throw new FormRefused({ errors: result.errors });
    },
  }),

  removeExtraOpening: defineFormAction({
    ...common,
    input: z.object({ intent, opening: recordId('staff.desk.error.openingInvalid') }),
    invalid: 'bad-request',
    handler: async ({ opening }, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const result = await removeExtraOpening(db, desk.id, opening, { actorUserId: staff.user.id });
      if (!result.ok) throw removed();
      return finished(context, desk, 'extraRemoved', { prenotazioni: result.bookingsOnDay });
    },
  }),
};
