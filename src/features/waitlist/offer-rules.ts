// How long a waiting-list offer is held (issue #13; docs/waiting-list.md): WAITLIST_OFFER_HOURS
// (default 12), never past one hour before what is offered starts, and no offer at all when that
// would leave less than OFFER_MINIMUM_MINUTES to answer (the seats stay free for the door); the same
// bounds for an offer held when its date moves (offerExpiryAfterMove). Pure.

/** Read where it is used, like the hold limits, so an environment can change it without a restart of the tests. */
export function offerHours(): number {
  const value = Number(process.env.WAITLIST_OFFER_HOURS);
  return Number.isFinite(value) && value > 0 && value <= 168 ? value : 12;
}

/** An offer ends at least this long before the event or appointment starts. */
export const OFFER_ENDS_BEFORE_START_MINUTES = 60;
/** An offer shorter than this is not made. */
export const OFFER_MINIMUM_MINUTES = 15;

/** Until when an offer made at `now` for something starting at `startsAt` is held; undefined: too late to offer. */
export function offerExpiry(now: Date, startsAt: Date): Date | undefined {
  const byHours = now.getTime() + offerHours() * 3_600_000;
  const byStart = startsAt.getTime() - OFFER_ENDS_BEFORE_START_MINUTES * 60_000;
  const until = Math.min(byHours, byStart);
  return until - now.getTime() >= OFFER_MINIMUM_MINUTES * 60_000 ? new Date(until) : undefined;
}

/**
 * An offer's deadline once what it offers has moved to `startsAt`: kept while it still ends an hour
 * before the new start (a later start changes nothing: the family answers by the time it was told),
 * else brought forward to that hour; undefined when that leaves less than OFFER_MINIMUM_MINUTES to
 * answer — the same bounds as a new offer, so no offer can be accepted after its date has started.
 */
export function offerExpiryAfterMove(now: Date, expiresAt: Date, startsAt: Date): Date | undefined {
  const latest = startsAt.getTime() - OFFER_ENDS_BEFORE_START_MINUTES * 60_000;
  if (expiresAt.getTime() <= latest) return expiresAt;
  return latest - now.getTime() >= OFFER_MINIMUM_MINUTES * 60_000 ? new Date(latest) : undefined;
}
