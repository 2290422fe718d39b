// What the dashboard counts: each kind of row in figure_month and its measures, in the order they
// are shown. A kind with `collected: false` has no source yet: the dashboard says "not collected
// yet". Waiting lists and ratings are being built elsewhere; to start counting one, add its kind to
// the figure_month_kind CHECK (new migration), its counting statement to count-figures.ts, and set
// `collected: true` with its measures here (docs/architecture.md, "The network's figures").

export const BOOKING_MEASURES = ['made', 'attended', 'no_show', 'cancelled_family', 'cancelled_desk', 'open'] as const;
/** "made" is the sum of these: a total whose parts must not let a suppressed cell be recomputed. */
export const BOOKING_PARTS = ['attended', 'no_show', 'cancelled_family', 'cancelled_desk', 'open'] as const;

export const EVENT_MEASURES = ['signups', 'people', 'attended', 'walk_ins', 'seats_unused'] as const;

export const PLEDGE_MEASURES = ['made', 'received', 'not_brought', 'cancelled', 'open'] as const;
export const PLEDGE_PARTS = ['received', 'not_brought', 'cancelled', 'open'] as const;

/** Families on a waiting list: every request ends placed, still waiting, unmet or withdrawn. */
export const WAITLIST_MEASURES = ['requests', 'placed', 'waiting', 'unmet', 'withdrew'] as const;
export const WAITLIST_PARTS = ['placed', 'waiting', 'unmet', 'withdrew'] as const;

/** Ratings of "Valuta questo servizio": how many, and how many of each score (1–5 stars). */
export const RATING_MEASURES = ['ratings', 'score_1', 'score_2', 'score_3', 'score_4', 'score_5'] as const;
export const RATING_PARTS = ['score_1', 'score_2', 'score_3', 'score_4', 'score_5'] as const;

export type BookingMeasure = (typeof BOOKING_MEASURES)[number];
export type EventMeasure = (typeof EVENT_MEASURES)[number];
export type PledgeMeasure = (typeof PLEDGE_MEASURES)[number];

/** Sources the dashboard will show once someone counts them (see the top of this file): none left. */
export const NOT_COLLECTED_YET: readonly string[] = [];
