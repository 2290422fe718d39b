// The "Close this day" form (/{locale}/staff/agenda/{desk}/chiudi?giorno=…) as an Astro Action:
// `can(desk.settings)` on the desk of the address first (deskOfForm: closures are the desk's
// settings, for its operators and its municipio's coordinators), then closeDay (close-day.ts). The
// public pages of the desk forget their copy; the browser goes to the agenda of that day, which
// says how many families were told. A form with errors keeps its answers in the staff draft.
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, notFoundPage } from '#/server/actions/form-action.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { optionalField } from '#/lib/validation.ts';
import { agendaHref } from './agenda-paths.ts';
import { CLOSE_DAY_FIELDS, closeDay } from './close-day.ts';
import { closeDayForm } from './close-day-view.ts';
import { deskOfForm } from './desk-of-form.ts';

const slot = (context: ActionAPIContext) => closeDayForm(context.params.desk ?? '');

export const closeDayActions = {
  closeDay: defineFormAction({
    input: z.object({
      intent: optionalField(20),
      day: optionalField(20),
      from: optionalField(20),
      until: optionalField(20),
      reason: optionalField(1000),
    }),
    slot,
    messages: 'staffDay.close.error.',
    fields: CLOSE_DAY_FIELDS,
    gate: staffOf,
    handler: async ({ day, from, until, reason }, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.settings');
      const result = await closeDay(db, desk.id, { day, from, until, reason }, { actorUserId: staff.user.id });
      if (!result.ok && 'reason' in result) throw notFoundPage();
      if (!result.ok) throw new FormRefused({ errors: result.errors });
      const { series } = result;
      await invalidateLiveData(context, [
        CACHE_TAGS.desks,
        `desk:${desk.slug}`,
        CACHE_TAGS.slots(desk.slug),
        ...(series.slugs.length > 0 ? [CACHE_TAGS.events, ...series.slugs.map((s) => `event:${s}`)] : []),
      ]);
      const place = { locale: context.locals.locale, deskSlug: desk.slug, day: result.day, view: 'giorno' as const };
      // The activities' dates cancelled with the day, and the parties signed up to them (counts only).
      const more = series.cancelled > 0 ? `&attivita=${series.cancelled}&iscritti=${series.parties}` : '';
      return { location: `${agendaHref(place)}&chiuso=${result.cancelled}${more}` };
    },
  }),
};
