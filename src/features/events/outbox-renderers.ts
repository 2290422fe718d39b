// A sign-up's messages as the outbox worker asks for them: rendered with the event as it is at
// send time, or withdrawn when no longer wanted (the sign-up cancelled, or the event gone).
import type { Db } from '#/server/db/database.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { getPublicEventBySlug } from './events.ts';
import { localize } from '#/lib/locales.ts';
import {
  DATE_NOTICE_KINDS,
  parseDateNoticePayload,
  renderDateNoticeEmail,
  renderDateNoticeSms,
  type DateNoticeKind,
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

const noticeEmail = (kind: DateNoticeKind) => async (request: RenderRequest) => {
  const p = await prepareNotice(kind, request);
  if (!p) return WITHDRAWN;
  return renderDateNoticeEmail({ kind, ...p, locale: request.locale, origin: request.origin });
};

const noticeSms = (kind: DateNoticeKind) => async (request: RenderRequest) => {
  const p = await prepareNotice(kind, request);
  if (!p) return WITHDRAWN;
  const { payload, event } = p;
  const title = localize(event.title, request.locale);
  return renderDateNoticeSms({
    kind,
    payload,
    title,
    start: event.startsAt,
    locale: request.locale,
    origin: request.origin,
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
