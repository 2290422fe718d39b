// The forms of a desk's agenda (/{locale}/staff/agenda/{desk}?giorno=…&vista=…) as Astro Actions:
// attended / not attended, cancel (asked, then confirmed) and the phone booking. Each asks
// `can(desk.agenda)` on the desk of the address first (deskOfForm), then calls one function of
// this feature and answers 303 to the same day and view: `&fatto=…&codice=<reference>` when done,
// `&problema=<reason>` when the booking was not in a state to be changed (nothing personal in
// either); a phone booking with errors keeps its answers in the staff draft for the page's GET.
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, seeOther } from '#/server/actions/form-action.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { readSubmissionKey } from '#/features/booking/booking-flow.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { romeDateString } from '#/lib/time.ts';
import { AGENDA_DONE, agendaHref, agendaPlace, phoneBookingForm, type AgendaPlace } from './agenda-paths.ts';
import { cancelDeskBooking, markAttendance, type BookingActionResult } from './desk-bookings.ts';
import { PHONE_BOOKING_FIELDS, bookForFamily, checkPhoneBooking } from './phone-booking.ts';
import { deskOfForm } from './desk-of-form.ts';
import { PHONE_BOOKING_MESSAGES, forOperator } from './phone-booking-messages.ts';

const placeOf = (context: ActionAPIContext): AgendaPlace =>
  agendaPlace(context.url, context.locals.locale, context.params.desk ?? '', romeDateString(new Date()));

/** A booking's id as the agenda's buttons send it; anything else is a hand-made request (400). */
const bookingButton = { booking: recordId('staff.agenda.problem.notFound') };
const slot = (context: ActionAPIContext) => phoneBookingForm(placeOf(context));
/** A button of a booking's row: nothing typed, so nothing to keep; a value no page sends is a 400. */
const button = { slot, messages: 'staff.agenda.', gate: staffOf, invalid: 'bad-request' } as const;

function done(place: AgendaPlace, what: (typeof AGENDA_DONE)[number], reference: string, day?: string) {
  const view = day ? 'giorno' : place.view;
  return { location: `${agendaHref(place, day, view)}&fatto=${what}&codice=${encodeURIComponent(reference)}` };
}

/** Done, or back to the same view saying why not (nothing kept: there is nothing typed). */
async function outcome(
  context: ActionAPIContext,
  desk: Desk,
  result: BookingActionResult,
  what: (typeof AGENDA_DONE)[number],
) {
  const place = placeOf(context);
  if (!result.ok) throw seeOther(`${agendaHref(place)}&problema=${result.reason}`);
  if (what === 'cancelled') await invalidateLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
  return done(place, what, result.reference);
}

export const agendaDayActions = {
  /** Attended or not: a confirmed booking of this desk whose appointment has started. */
  markAttendance: defineFormAction({
    input: z.object({ intent: z.enum(['attended', 'no_show']), ...bookingButton }),
    ...button,
    handler: async ({ intent, booking }, context) => {
      const { db, desk } = await deskOfForm(context, 'desk.agenda');
      return outcome(context, desk, await markAttendance(db, booking, desk.id, intent, new Date()), intent);
    },
  }),

  /** Cancel, first step: the confirmation page of that booking (&annulla=<id>), which says what happens. */
  askToCancel: defineFormAction({
    input: z.object(bookingButton),
    ...button,
    handler: async ({ booking }, context) => {
      await deskOfForm(context, 'desk.agenda');
      throw seeOther(`${agendaHref(placeOf(context))}&annulla=${booking}`);
    },
  }),

  /** Cancel, confirmed: the place is free at once, the family told by email if they left one. */
  cancel: defineFormAction({
    input: z.object(bookingButton),
    ...button,
    handler: async ({ booking }, context) => {
      const { db, desk, staff } = await deskOfForm(context, 'desk.agenda');
      const result = await cancelDeskBooking(db, booking, desk.id, { actorUserId: staff.user.id });
      return outcome(context, desk, result, 'cancelled');
    },
  }),

  /**
   * A free slot of the day for a family on the phone: the public booking's rules and write path
   * (phone-booking.ts), contact optional. Then the day of the appointment, with its reference.
   */
  book: defineFormAction({
    // Each field as typed (bounded); the rules are checkPhoneBooking's, all at once, topic included.
    input: z.object({
      slot: optionalField(),
      firstName: optionalField(),
      phone: optionalField(),
      email: optionalField(),
      topic: optionalField(),
      note: optionalField(),
      locale: optionalField(),
      sendSms: optionalField(10),
      submissionKey: optionalField(100),
    }),
    slot,
    messages: PHONE_BOOKING_MESSAGES,
    fields: PHONE_BOOKING_FIELDS,
    gate: staffOf,
    handler: async ({ submissionKey, ...values }, context) => {
      const { db, desk } = await deskOfForm(context, 'desk.agenda');
      const checked = checkPhoneBooking(values, desk);
      if (!checked.ok) throw new FormRefused({ errors: checked.errors });
      const key = new FormData();
      key.set('submissionKey', submissionKey);
      const booked = await bookForFamily(db, desk, checked.value, readSubmissionKey(key) ?? null);
      if (!booked.ok) {
        const slot = forOperator(
          booked.reason === 'slot_full' ? 'booking.error.slotTaken' : 'booking.error.startInvalid',
        );
        throw new FormRefused({ errors: { slot }, status: 409, omit: ['slot'] });
      }
      await invalidateLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
      return done(placeOf(context), 'booked', booked.booking.reference, romeDateString(booked.booking.start));
    },
  }),
};
