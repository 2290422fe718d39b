// The public form of a booking its desk's closed day cancelled (issue #15): "put me on the desk's
// waiting list" on the booking's page (/{locale}/prenotazione/gestisci?token=…). The link's token is
// the only key, as for the page's move and cancel (booking/manage-actions.ts, whose draft this
// shares); refused days come back to the page with the days kept.
import { z } from 'astro/zod';
import { defineFormAction, FormRefused } from '#/server/actions/form-action.ts';
import { optionalField } from '#/lib/validation.ts';
import { linkedBooking, manageForm } from '#/features/booking/manage-actions.ts';
import { waitStatusPath } from '#/features/waitlist/wait-paths.ts';
import { DISPLACED_WAIT_FIELDS, joinListAfterClosure } from './displaced-families.ts';

export const closeDay = {
  joinList: defineFormAction({
    input: z.object({ fromDay: optionalField(20), toDay: optionalField(20) }),
    slot: (context) => manageForm(context.url),
    messages: 'waitlist.desk.error.',
    fields: DISPLACED_WAIT_FIELDS,
    handler: async ({ fromDay, toDay }, context) => {
      const { db, booking, self } = await linkedBooking(context, { displaced: true });
      const joined = await joinListAfterClosure(db, booking.id, { fromDay, toDay });
      if ('errors' in joined) throw new FormRefused({ errors: joined.errors, location: self({ azione: 'attesa' }) });
      // Chosen meanwhile (another time, or the list from another tab): the page says which.
      if (!joined.ok) return { location: self() };
      // The entry's own page: its place on the list, and later the offer of a free place.
      return { location: waitStatusPath(context.locals.locale, { token: joined.token }) };
    },
  }),
};
