// The staff forms of recurring activities (issue #13) as Astro Actions: a new series
// (/{locale}/staff/eventi/serie/nuova), and on a series' page (/{locale}/staff/eventi/serie/{id})
// one date cancelled or moved, the whole series edited, sent for review or published. Each asks
// staffOf and `can` of the series' dates (its municipio and owner) BEFORE it reads a field, as the
// event forms do (./actions.ts), then calls one function of this feature and answers 303.
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { staffPath } from '#/lib/paths.ts';
import { FormAnswered, FormRefused, defineFormAction, refuseForbidden } from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import { invalidateLiveData } from '#/server/cache/live-page.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { EVENT_FORM_ORDER, checkEventForm, eventFieldBound, eventFormValues, readEventFields } from './event-form.ts';
import { eventChoices } from './event-choices.ts';
import { SERIES_RULE_FIELDS, checkSeriesRule, formDay, formTime, readSeriesRule } from './series-form.ts';
import { changeSeriesStatus, createStaffSeries, getSeriesForStaff } from './series-staff.ts';
import { cancelSeriesDate, editComingDates, moveSeriesDate } from './series.ts';
import { canEditEvent, canModerateEvent } from './staff-events.ts';
import { romeDateString } from '#/lib/time.ts';
import { readNewEventForm } from './new-event-form.ts';

export const NEW_SERIES_FORM = { flow: 'staff', scope: 'serie:nuova' } as const;
export const seriesPageForm = (id: string | undefined) => ({ flow: 'staff', scope: `serie:${id ?? ''}` }) as const;
/** The fields of the new-series form, in page order (the rule's after the dates). */
export const SERIES_FORM_ORDER = [...EVENT_FORM_ORDER, ...SERIES_RULE_FIELDS];
/** What the series page says after a change (?done=…). */
export const SERIES_DONE = ['created', 'saved', 'submitted', 'published', 'dateCancelled', 'dateMoved'] as const;
export type SeriesDone = (typeof SERIES_DONE)[number];

const seriesFields = z.object(
  Object.fromEntries(SERIES_FORM_ORDER.map((name) => [name, optionalField(eventFieldBound(name))])),
);
const dateFields = z.object({
  day: optionalField(10),
  toDate: optionalField(20),
  startTime: optionalField(10),
  endTime: optionalField(10),
});

/** The series of the page posted to, who is asking, and what they may do with it; 404 when there is none. */
async function seriesOfPage(context: ActionAPIContext) {
  const { actor } = staffOf(context);
  const id = recordId('invalid').safeParse(context.params.id);
  const db = await getDb();
  const series = id.success ? await getSeriesForStaff(db, id.data) : undefined;
  if (!series) throw new FormAnswered({ rewrite: '/404' });
  const page = staffPath(context.locals.locale, 'eventi', 'serie', String(series.id));
  return { db, actor, series, page };
}

const publicTags = (slugs: readonly string[]) => ['events', ...slugs.map((s) => `event:${s}`)];

/** One date cancelled or moved (its families told: date-notices.ts); a wrong day is refused, nothing changed. */
function dateAction(done: 'dateCancelled' | 'dateMoved') {
  return defineFormAction({
    input: dateFields,
    slot: (context) => seriesPageForm(context.params.id),
    messages: 'staff.series.error.',
    fields: ['toDate', 'startTime', 'endTime'],
    gate: staffOf,
    handler: async (fields, context) => {
      const { db, actor, series, page } = await seriesOfPage(context);
      if (!canEditEvent(actor, series.next) && !canModerateEvent(actor, series.next)) throw refuseForbidden();
      const date = series.dates.find((d) => d.day === fields.day);
      if (!date) throw new FormRefused({ notice: 'staff.series.error.dateNotFound', status: 404 });
      let result;
      if (done === 'dateCancelled') result = await cancelSeriesDate(db, series.id, date.day);
      else {
        const to = checkMove(fields);
        if (!to.ok) throw new FormRefused({ errors: to.errors, step: date.day });
        result = await moveSeriesDate(db, series.id, date.day, to.value);
      }
      if (!result.ok) {
        throw new FormRefused({ notice: 'staff.series.error.badDate', status: 422, step: date.day });
      }
      await invalidateLiveData(context, publicTags([result.slug]));
      return { location: `${page}?done=${done}#d-${date.day}` };
    },
  });
}

/** The new day and times of a moved date, read as the event form reads dates and times. */
function checkMove(fields: z.output<typeof dateFields>) {
  const errors: Record<string, string> = {};
  const day = formDay(fields.toDate);
  const startsTime = formTime(fields.startTime);
  // No end typed: the rule's end time stays (moveSeriesDate).
  const endsTime = fields.endTime.trim() ? (formTime(fields.endTime) ?? null) : undefined;
  const endInvalid = fields.endTime.trim() !== '' && endsTime === null;
  if (!day) errors.toDate = `staff.event.error.startDate${fields.toDate.trim() ? 'Invalid' : 'Required'}`;
  if (!startsTime) errors.startTime = `staff.event.error.startTime${fields.startTime.trim() ? 'Invalid' : 'Required'}`;
  if (endInvalid) errors.endTime = 'staff.event.error.endTimeInvalid';
  if (!day || !startsTime || endInvalid) return { ok: false as const, errors };
  return { ok: true as const, value: { day, startsTime, ...(endsTime ? { endsTime } : {}) } };
}

export const seriesActions = {
  /** A new recurring activity: every date of its rule written as a draft. */
  createSeries: defineFormAction({
    input: seriesFields,
    slot: NEW_SERIES_FORM,
    messages: 'staff.event.error.',
    fields: SERIES_FORM_ORDER,
    gate: staffOf,
    handler: async (fields, context) => {
      const { db, actor, values, checked } = await readNewEventForm(context, fields);
      const start = checked.ok
        ? {
            day: romeDateString(checked.value.startsAt),
            startsTime: formTime(values.startTime)!,
            endsTime: (values.endTime.trim() && formTime(values.endTime)) || null,
            endDate: values.endDate.trim() ? romeDateString(checked.value.endsAt ?? checked.value.startsAt) : '',
          }
        : undefined;
      const rule = checkSeriesRule(
        readSeriesRule((name) => fields[name]),
        start,
      );
      if (!checked.ok || !rule.ok)
        throw new FormRefused({ errors: { ...(checked.ok ? {} : checked.errors), ...(rule.ok ? {} : rule.errors) } });
      const made = await createStaffSeries(db, actor, checked.value, rule.rule);
      if (!made.ok) throw refuseForbidden();
      return { location: `${staffPath(context.locals.locale, 'eventi', 'serie', String(made.seriesId))}?done=created` };
    },
  }),

  /**
   * The whole series' content on its coming dates. Published dates change at once, so a partner
   * may edit a series only while none is published; a moderator always (the single-date edit of a
   * published event goes through review instead, event-revisions.ts).
   */
  editSeries: defineFormAction({
    input: seriesFields,
    slot: (context) => seriesPageForm(context.params.id),
    messages: 'staff.event.error.',
    fields: EVENT_FORM_ORDER,
    gate: staffOf,
    handler: async (fields, context) => {
      const { db, actor, series, page } = await seriesOfPage(context);
      const now = new Date();
      const published = series.dates.some((d) => d.status === 'published' && d.startsAt > now);
      if (!canModerateEvent(actor, series.next) && !(canEditEvent(actor, series.next) && !published))
        throw refuseForbidden();
      // The dates and the scope are not the form's: they are read from the series' next date.
      const stored = eventFormValues(series.next);
      const values = readEventFields((name) => fields[name]);
      for (const k of ['startDate', 'startTime', 'endDate', 'endTime', 'municipioId', 'organisationId'] as const)
        values[k] = stored[k];
      const choices = await eventChoices(db, actor, series.next);
      const checked = checkEventForm(values, {
        municipi: [...choices.municipi, ...(series.next.municipioId ? [series.next.municipioId] : [])],
        organisations: series.next.ownerOrganisationId ? [series.next.ownerOrganisationId] : [],
      });
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const v = checked.value;
      const json = (text: unknown) => (text === null ? null : JSON.stringify(text));
      await editComingDates(
        db,
        series.id,
        {
          title: json(v.title)!,
          summary: json(v.summary)!,
          description: json(v.description)!,
          transit_hint: json(v.transitHint),
          price_note: json(v.priceNote),
          venue: v.venue,
          address: v.address,
          seats: v.seats,
          stops: JSON.stringify(v.stops),
          age_bands: v.facts.ageBands,
          price_kind: v.facts.priceKind,
          price_cents: v.facts.priceCents,
          step_free: v.facts.stepFree,
          lis: v.facts.lis,
          childcare: v.facts.childcare,
          languages: v.facts.languages,
        },
        now,
      );
      await invalidateLiveData(context, publicTags(series.dates.map((d) => d.slug)));
      return { location: `${page}?done=saved` };
    },
  }),

  cancelSeriesDate: dateAction('dateCancelled'),
  moveSeriesDate: dateAction('dateMoved'),
  submitSeries: seriesStatusAction('submitted'),
  publishSeries: seriesStatusAction('published'),
};

function seriesStatusAction(to: 'submitted' | 'published') {
  return defineFormAction({
    input: z.object({}),
    slot: (context) => seriesPageForm(context.params.id),
    messages: 'staff.series.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async (_fields, context) => {
      const { db, actor, series, page } = await seriesOfPage(context);
      const result = await changeSeriesStatus(db, actor, series, to);
      if (!result.ok) throw refuseForbidden();
      if (to === 'published') await invalidateLiveData(context, publicTags(result.slugs));
      return { location: `${page}?done=${to}` };
    },
  });
}
