// A sign-up's messages as the outbox worker asks for them: rendered with the event as it is at
// send time, or withdrawn when no longer wanted (the sign-up cancelled, or the event gone).
import type { Db } from '#/server/db/database.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { getPublicEventBySlug } from './events.ts';
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

export const registrationRenderers: MessageRenderers = {
  email: Object.fromEntries(REGISTRATION_MESSAGE_KINDS.map((kind) => [kind, email(kind)])),
  sms: Object.fromEntries(REGISTRATION_MESSAGE_KINDS.map((kind) => [kind, sms(kind)])),
};
