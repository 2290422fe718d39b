// Migrations are imported statically (not read from a folder at run time) so that they
// survive the production bundle. Names sort by date; add new ones at the end.
import type { Migration } from 'kysely/migration';
import * as publicSite from './2026_11_24_0001_public_site.ts';
import * as bookings from './2026_11_24_0002_bookings.ts';
import * as pledgesVolunteers from './2026_11_25_0001_pledges_volunteers.ts';
import * as staff from './2026_11_25_0010_staff.ts';
import * as scaleIndexes from './2026_11_26_0001_scale_indexes.ts';
import * as hardening from './2026_12_05_0040_hardening.ts';
import * as formDrafts from './2026_12_05_0100_form_drafts.ts';
import * as sms from './2026_12_05_0200_sms.ts';
import * as contactKeys from './2026_12_05_0300_contact_keys.ts';
import * as bookingHolds from './2026_12_05_0400_booking_holds.ts';
import * as bookingSmsWanted from './2026_12_05_0500_booking_sms_wanted.ts';
import * as volunteerCodes from './2026_12_05_0510_volunteer_codes.ts';
import * as eventRegistrations from './2026_12_05_0520_event_registrations.ts';
import * as pledgeHolds from './2026_12_05_0530_pledge_holds.ts';
import * as partDayClosure from './2026_12_05_0630_part_day_closure.ts';
import * as bookingPhoneSearch from './2026_12_05_0631_booking_phone_search.ts';
import * as figures from './2026_12_05_0640_figures.ts';
import * as ratings from './2026_12_05_0660_ratings.ts';
import * as networkPhone from './2026_12_05_0661_network_phone.ts';
import * as accessibilityFeedback from './2026_12_05_0662_accessibility_feedback.ts';
import * as figuresWaitlistRatings from './2026_12_05_0670_figures_waitlist_ratings.ts';
import * as displacedBooking from './2026_12_05_0720_displaced_booking.ts';
import * as waitEntryCodes from './2026_12_05_0750_wait_entry_codes.ts';
import * as eventSubmittedIndex from './2026_12_06_0300_event_submitted_index.ts';
import * as staffSeriesIndex from './2026_12_06_0500_staff_series_index.ts';
import * as outboxOwnerPartialIndexes from './2026_12_06_0800_outbox_owner_partial_indexes.ts';
import * as outboxDueCodesIndex from './2026_12_06_0900_outbox_due_codes_index.ts';
import * as outboxLeaseIndex from './2026_12_06_1000_outbox_lease_index.ts';
import * as eventSeatsLimit from './2026_12_07_0100_event_seats_limit.ts';
import * as waitingList from './2026_12_05_0600_waiting_list.ts';
import * as eventSeries from './2026_12_05_0610_event_series.ts';
import * as eventListIndexes from './2026_12_05_0611_event_list_indexes.ts';
import * as eventRevisions from './2026_12_05_0650_event_revisions.ts';
import * as collectionWindowChanges from './2026_12_05_0651_collection_window_changes.ts';
import * as deskFacts from './2026_12_05_0710_desk_facts.ts';
import * as staffEventListIndex from './2026_12_05_0700_staff_event_list_index.ts';
import * as localeCodes from './2026_12_05_0745_locale_codes.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_24_0001_public_site': publicSite,
  '2026_11_24_0002_bookings': bookings,
  '2026_11_25_0001_pledges_volunteers': pledgesVolunteers,
  '2026_11_25_0010_staff': staff,
  '2026_11_26_0001_scale_indexes': scaleIndexes,
  '2026_12_05_0040_hardening': hardening,
  '2026_12_05_0100_form_drafts': formDrafts,
  '2026_12_05_0200_sms': sms,
  '2026_12_05_0300_contact_keys': contactKeys,
  '2026_12_05_0400_booking_holds': bookingHolds,
  '2026_12_05_0500_booking_sms_wanted': bookingSmsWanted,
  '2026_12_05_0510_volunteer_codes': volunteerCodes,
  '2026_12_05_0520_event_registrations': eventRegistrations,
  '2026_12_05_0530_pledge_holds': pledgeHolds,
  '2026_12_05_0630_part_day_closure': partDayClosure,
  '2026_12_05_0631_booking_phone_search': bookingPhoneSearch,
  '2026_12_05_0640_figures': figures,
  '2026_12_05_0660_ratings': ratings,
  '2026_12_05_0661_network_phone': networkPhone,
  '2026_12_05_0662_accessibility_feedback': accessibilityFeedback,
  '2026_12_05_0670_figures_waitlist_ratings': figuresWaitlistRatings,
  '2026_12_05_0720_displaced_booking': displacedBooking,
  '2026_12_05_0600_waiting_list': waitingList,
  '2026_12_05_0610_event_series': eventSeries,
  '2026_12_05_0611_event_list_indexes': eventListIndexes,
  '2026_12_05_0650_event_revisions': eventRevisions,
  '2026_12_05_0651_collection_window_changes': collectionWindowChanges,
  '2026_12_05_0710_desk_facts': deskFacts,
  '2026_12_05_0700_staff_event_list_index': staffEventListIndex,
  '2026_12_05_0745_locale_codes': localeCodes,
  '2026_12_05_0750_wait_entry_codes': waitEntryCodes,
  '2026_12_06_0300_event_submitted_index': eventSubmittedIndex,
  '2026_12_06_0500_staff_series_index': staffSeriesIndex,
  '2026_12_06_0800_outbox_owner_partial_indexes': outboxOwnerPartialIndexes,
  '2026_12_06_0900_outbox_due_codes_index': outboxDueCodesIndex,
  '2026_12_06_1000_outbox_lease_index': outboxLeaseIndex,
  '2026_12_07_0100_event_seats_limit': eventSeatsLimit,
};
