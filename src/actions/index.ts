// Every form of the site is an action here, defined in its feature (src/features/<area>/actions.ts).
// A form posts to its own page with `?_action=<area>.<name>`; src/server/actions/run-form-action.ts
// runs it and answers 303 (see docs/architecture.md, "Forms are Actions").
import { agenda } from '#/features/agenda/actions.ts';
import { bookings } from '#/features/booking/actions.ts';
import { campaign } from '#/features/campaign/actions.ts';
import { closeDay } from '#/features/agenda/displaced-actions.ts';
import { comune } from '#/features/comune/actions.ts';
import { events } from '#/features/events/actions.ts';
import { gdpr } from '#/features/gdpr/actions.ts';
import { rating } from '#/features/rating/actions.ts';
import { staffAccounts } from '#/features/staff-accounts/actions.ts';
import { volunteers } from '#/features/volunteers/actions.ts';
import { waitlist } from '#/features/waitlist/actions.ts';

export const server = {
  agenda,
  bookings,
  campaign,
  closeDay,
  comune,
  events,
  gdpr,
  rating,
  staffAccounts,
  volunteers,
  waitlist,
};
