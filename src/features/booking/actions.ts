// The booking feature's forms as Astro Actions, gathered for src/actions/index.ts: the four steps
// of booking (flow-actions.ts) and the changes after it (manage-actions.ts).
import { bookingFlow } from './flow-actions.ts';
import { manageBooking } from './manage-actions.ts';

export const bookings = { ...bookingFlow, ...manageBooking };
