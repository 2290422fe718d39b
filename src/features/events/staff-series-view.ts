// What the staff page of a recurring activity shows besides the series itself: what the signed-in
// person may do with its coming dates, and the answers of its last refused form (kept between the
// POST and the page that follows it). Pure.
import type { Translate } from '#/lib/i18n.ts';
import { messageKeys, type KeptFormInput } from '#/server/forms/form-page.ts';
import { eventErrorSummary, eventFormValues, readEventForm } from './event-form.ts';
import type { StaffSeries } from './series-staff.ts';

/**
 * `edit` and `moderate` are what `can` answered of the series' next date. Editing every coming date
 * at once is a moderator's once one of them is published (an edit of a published event is reviewed).
 */
export function seriesPermissions(
  series: StaffSeries,
  may: { edit: boolean; moderate: boolean },
  now: Date = new Date(),
) {
  const coming = series.dates.filter((d) => d.startsAt > now);
  return {
    mayEditAll: may.moderate || (may.edit && !coming.some((d) => d.status === 'published')),
    maySubmit: may.edit && coming.some((d) => d.status === 'draft'),
    mayPublish: may.moderate && coming.some((d) => d.status === 'draft' || d.status === 'submitted'),
  };
}

/**
 * The series form's values and messages: the answers kept from a refused "save", or the next date's;
 * a refused date's messages point at that date's row (`#d-<step>`).
 */
export function seriesFormState(kept: KeptFormInput | undefined, series: StaffSeries, t: Translate) {
  const intent = kept?.form.get('intent');
  const errors = (kept ? messageKeys(kept.errors) : {}) as Record<string, string>;
  const dateErrors = intent === 'date' ? errors : {};
  const values = kept && intent === 'save' ? readEventForm(kept.form) : eventFormValues(series.next);
  const summary =
    intent === 'date'
      ? Object.values(dateErrors).map((key) => ({ href: `#d-${kept?.step ?? ''}`, text: t(key) }))
      : eventErrorSummary(errors, t);
  if (kept?.notice) summary.push({ href: `#d-${kept.step ?? ''}`, text: t(kept.notice) });
  return { saveErrors: intent === 'save' ? errors : {}, dateErrors, values, summary };
}
