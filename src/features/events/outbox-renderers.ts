// A sign-up's messages as the outbox worker asks for them: rendered with the event as it is at
// send time, or withdrawn when no longer wanted (the sign-up cancelled, or the event gone).
import type { Db } from '#/server/db/database.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { getPublicEventBySlug, type PublicEvent } from './events.ts';
import { localize } from '#/lib/locales.ts';
import { siteUrl } from '#/server/mail/email-layout.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { waitToken } from '#/features/waitlist/wait-token.ts';
import { waitStatusPath } from '#/features/waitlist/wait-paths.ts';
import {
  DATE_NOTICE_KINDS,
  parseDateNoticePayload,
  renderDateNoticeEmail,
  renderDateNoticeSms,
  renderListMovedEmail,
  type DateNoticeKind,
  type DateNoticePayload,
  type ListStanding,
} from './date-notice-messages.ts';
import {
  REGISTRATION_MESSAGE_KINDS,
  parseRegistrationPayload,
  renderRegistrationEmail,
  renderRegistrationSms,
  type RegistrationMessageKind,
} from './registration-messages.ts';

async function confirmed(db: Db, reference: string): Promise<boolean> {
  const row = await db
    .selectFrom('event_registration')
    .select('status')
    .where('reference', '=', reference)
    .executeTakeFirst();
  return row?.status === 'confirmed';
}

async function prepare(request: RenderRequest) {
  const payload = parseRegistrationPayload(request.message.payload);
  if (!(await confirmed(request.db, payload.reference))) return undefined;
  const event = await getPublicEventBySlug(request.db, payload.eventSlug);
  if (!event || event.status !== 'published') return undefined;
  return { payload, event };
}

const email = (kind: RegistrationMessageKind) => async (request: RenderRequest) => {
  const p = await prepare(request);
  if (!p) return WITHDRAWN;
  return renderRegistrationEmail({ kind, ...p, locale: request.locale, origin: request.origin });
};

/**
 * An SMS needs only the event's start: one statement for what prepare reads in four (the sign-up
 * confirmed, the event of the slug still published), on the path of every confirmed sign-up.
 */
const sms = (kind: RegistrationMessageKind) => async (request: RenderRequest) => {
  const payload = parseRegistrationPayload(request.message.payload);
  const row = await request.db
    .selectFrom('event_registration as r')
    .innerJoin('event as e', 'e.id', 'r.event_id')
    .select('e.starts_at')
    .where('r.reference', '=', payload.reference)
    .where('r.status', '=', 'confirmed')
    .where('e.slug', '=', payload.eventSlug)
    .where('e.status', '=', 'published')
    .executeTakeFirst();
  if (!row) return WITHDRAWN;
  const input = { kind, payload, start: row.starts_at, locale: request.locale, origin: request.origin };
  return renderRegistrationSms(input);
};

/**
 * A cancelled or moved date's notice: sent while it is still true — the date still cancelled (or
 * still published, for "moved") and the sign-up still confirmed (a family that freed its seats
 * since is not written to); a waiting-list entry's notice (`list`) needs only the date cancelled.
 */
async function prepareNotice(kind: DateNoticeKind, request: RenderRequest) {
  const payload = parseDateNoticePayload(request.message.payload);
  if (!payload.list && !(await confirmed(request.db, payload.reference))) return undefined;
  const event = await getPublicEventBySlug(request.db, payload.eventSlug);
  if (!event || event.status !== (kind === 'event_date_cancelled' ? 'cancelled' : 'published')) return undefined;
  return { payload, event };
}

/**
 * Where the entry stands now: still waiting (back to waiting, if the move ended its offer), or
 * holding an offer still within its time; undefined when it has left the list (accepted — its
 * confirmation names the new start —, declined, lapsed, closed).
 */
function standingOf(
  entry: { status: string; seats: number; offer_expires_at: Date | null },
  payload: DateNoticePayload,
  now: Date,
): ListStanding | undefined {
  if (entry.status === 'waiting') return payload.offerEnded ? { status: 'offerEnded' } : { status: 'waiting' };
  if (entry.status === 'offered' && entry.offer_expires_at && entry.offer_expires_at > now)
    return { status: 'offered', until: entry.offer_expires_at, seats: entry.seats };
  return undefined;
}

/** A moved date's notice to a family on its list: sent while the date is published and the family still on the list. */
async function prepareListNotice(request: RenderRequest) {
  const payload = parseDateNoticePayload(request.message.payload);
  const entry = await request.db
    .selectFrom('wait_entry')
    .select(['id', 'reference', 'status', 'seats', 'offer_expires_at'])
    .where('reference', '=', payload.reference)
    .executeTakeFirst();
  const standing = entry && standingOf(entry, payload, new Date());
  if (!entry || !standing) return undefined;
  const event = await getPublicEventBySlug(request.db, payload.eventSlug);
  if (!event || event.status !== 'published') return undefined;
  return { payload, event, entry, standing };
}

const noticeEmail = (kind: DateNoticeKind) => async (request: RenderRequest) => {
  if (kind === 'event_date_moved_waiting') {
    const p = await prepareListNotice(request);
    if (!p) return WITHDRAWN;
    const token = waitToken(await getServerSecret(request.db), p.entry);
    const statusUrl = siteUrl(request.origin, waitStatusPath(request.locale, { token }));
    return renderListMovedEmail({ ...p, locale: request.locale, list: { standing: p.standing, statusUrl } });
  }
  const p = await prepareNotice(kind, request);
  if (!p) return WITHDRAWN;
  return renderDateNoticeEmail({ kind, ...p, locale: request.locale, origin: request.origin });
};

const noticeSms = (kind: DateNoticeKind) => async (request: RenderRequest) => {
  const p: { payload: DateNoticePayload; event: PublicEvent; standing?: ListStanding } | undefined =
    kind === 'event_date_moved_waiting' ? await prepareListNotice(request) : await prepareNotice(kind, request);
  if (!p) return WITHDRAWN;
  return renderDateNoticeSms({
    kind,
    payload: p.payload,
    title: localize(p.event.title, request.locale),
    start: p.event.startsAt,
    locale: request.locale,
    origin: request.origin,
    ...(p.standing ? { standing: p.standing } : {}),
  });
};

export const registrationRenderers: MessageRenderers = {
  email: Object.fromEntries([
    ...REGISTRATION_MESSAGE_KINDS.map((kind) => [kind, email(kind)]),
    ...DATE_NOTICE_KINDS.map((kind) => [kind, noticeEmail(kind)]),
  ]),
  sms: Object.fromEntries([
    ...REGISTRATION_MESSAGE_KINDS.map((kind) => [kind, sms(kind)]),
    ...DATE_NOTICE_KINDS.map((kind) => [kind, noticeSms(kind)]),
  ]),
};
