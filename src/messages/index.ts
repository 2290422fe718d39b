// What the outbox worker needs from the features, gathered in one place (as src/actions/index.ts
// gathers their actions): each kind's email and SMS renderer, the hourly housekeeping jobs, and the
// handler of SMS replies. server/ never imports a feature; scripts/serve.ts and scripts/worker.ts
// (and the tests) hand this to startWorker.
import { eraseExpiredBookings } from '#/features/booking/erase-bookings.ts';
import { releaseLapsedHolds } from '#/features/booking/holds.ts';
import { bookingRenderers } from '#/features/booking/outbox-renderers.ts';
import { handleSmsReply, smsReplyRenderers } from '#/features/booking/sms-replies.ts';
import { pledgeRenderers } from '#/features/campaign/outbox-renderers.ts';
import { releaseLapsedPledgeHolds } from '#/features/campaign/pledge-holds.ts';
import { eraseExpiredPledges } from '#/features/campaign/erase-pledges.ts';
import { expireUnkeptPledges } from '#/features/campaign/close-pledge.ts';
import { staffRenderers } from '#/features/staff-accounts/outbox-renderers.ts';
import { verificationRenderers } from '#/features/verification/sms.ts';
import { volunteerRenderers } from '#/features/volunteers/outbox-renderers.ts';
import { deleteUnconfirmedVolunteers } from '#/features/volunteers/volunteers.ts';
import { registrationRenderers } from '#/features/events/outbox-renderers.ts';
import { reviewNoticeRenderers } from '#/features/events/review-notice.ts';
import { windowNoticeRenderers } from '#/features/campaign/window-notice.ts';
import { releaseLapsedRegistrations } from '#/features/events/lapsed-registrations.ts';
import { countFigures } from '#/features/figures/count-figures.ts';
import { sampleFirstFreeSlots } from '#/features/figures/wait-samples.ts';
import { waitlistRenderers } from '#/features/waitlist/wait-renderers.ts';
import { waitingListRound } from '#/features/waitlist/lapse-offers.ts';
import { getConfig } from '#/server/config.ts';
import type { MessageRenderers } from '#/server/mail/renderers.ts';
import type { WorkerFeatures } from '#/server/mail/worker.ts';

const all = [
  bookingRenderers,
  pledgeRenderers,
  volunteerRenderers,
  staffRenderers,
  verificationRenderers,
  smsReplyRenderers,
  registrationRenderers,
  waitlistRenderers,
  reviewNoticeRenderers,
  windowNoticeRenderers,
];

export const messageRenderers: MessageRenderers = {
  email: Object.assign({}, ...all.map((r) => r.email)),
  sms: Object.assign({}, ...all.map((r) => r.sms)),
};

export interface HousekeepingOptions {
  /** Days after an appointment when its personal data is erased (default: BOOKING_RETENTION_DAYS). */
  retentionDays?: number;
  /** Hours after a collection window when a pledge still open expires (default: PLEDGE_GRACE_HOURS). */
  pledgeGraceHours?: number;
  /** Days after a collection window when the donors' data is erased (default: PLEDGE_RETENTION_DAYS). */
  pledgeRetentionDays?: number;
}

/** Renderers, hourly jobs (expiry before erasure, so an unkept pledge gives its quantities back first) and replies. */
export function workerFeatures(options: HousekeepingOptions = {}): WorkerFeatures {
  const config = getConfig();
  const retentionDays = options.retentionDays ?? config.bookingRetentionDays;
  const graceHours = options.pledgeGraceHours ?? config.pledgeGraceHours;
  const pledgeRetentionDays = options.pledgeRetentionDays ?? config.pledgeRetentionDays;
  return {
    renderers: messageRenderers,
    housekeeping: [
      // Lapsed holds first: their places come back, and their unverified contacts go.
      {
        name: 'hold release',
        run: (db, at) => releaseLapsedHolds(db, at),
        describe: (n) => `released ${n} unconfirmed booking holds`,
      },
      {
        name: 'sign-up release',
        run: (db, at) => releaseLapsedRegistrations(db, at),
        describe: (n) => `released ${n} unconfirmed event sign-ups`,
      },
      // After the sign-up release: lapsed offers move on, and the seats freed go to the waiting lists.
      {
        name: 'waiting lists',
        run: (db, at) => waitingListRound(db, at),
        describe: (n) => `lapsed or made ${n} waiting-list offers`,
      },
      {
        name: 'pledge hold release',
        run: (db, at) => releaseLapsedPledgeHolds(db, at),
        describe: (n) => `released ${n} unconfirmed pledges`,
      },
      // The dashboard's figures are counted before any erasure below (docs/architecture.md).
      {
        name: 'figures',
        run: (db, at) => countFigures(db, at),
        describe: (n) => `counted ${n} monthly figures`,
      },
      {
        name: 'first free slots',
        run: (db, at) => sampleFirstFreeSlots(db, at),
        describe: (n) => `sampled the first free slot of ${n} desks`,
      },
      {
        name: 'booking erasure',
        run: (db, at) => eraseExpiredBookings(db, at, retentionDays),
        describe: (n) => `erased the personal data of ${n} past bookings`,
      },
      {
        name: 'pledge expiry',
        run: (db, at) => expireUnkeptPledges(db, at, graceHours),
        describe: (n) => `expired ${n} unkept pledges`,
      },
      {
        name: 'pledge erasure',
        run: (db, at) => eraseExpiredPledges(db, at, pledgeRetentionDays),
        describe: (n) => `erased the personal data of ${n} past pledges`,
      },
      {
        name: 'volunteer clean-up',
        run: (db, at) => deleteUnconfirmedVolunteers(db, at),
        describe: (n) => `deleted ${n} unconfirmed volunteer sign-ups`,
      },
    ],
    onSmsReply: handleSmsReply,
  };
}
