// The waiting list's messages go through the outbox like every other (issue #13): "you are on the
// list" with the status link, and "seats (or a place) are free for you until …". The payload names
// the entry by reference and never carries the link's token: the renderer derives it again
// (wait-token.ts), and withdraws a message whose entry has moved on (wait-renderers.ts).
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { enqueueMessage, smsRecipientOf } from '#/server/mail/outbox.ts';

export const WAIT_MESSAGE_KINDS = ['waitlist_joined', 'waitlist_offer'] as const;
export type WaitMessageKind = (typeof WAIT_MESSAGE_KINDS)[number];

export interface WaitPayload {
  reference: string;
  seats: number;
  /** The event's slug, or the desk's for a desk's list. */
  eventSlug?: string;
  deskSlug?: string;
  /** An offer: until when it is held, and (desks) when the appointment starts. */
  expiresAt?: string;
  startsAt?: string;
}

/** Queues one of the list's messages to the entry's contact: a mobile by SMS, else the email. */
export async function queueWaitMessage(
  trx: Db,
  kind: WaitMessageKind,
  entry: { reference: string; phone: string | null; email: string | null; locale: string },
  payload: { seats: number; eventSlug?: string; deskSlug?: string; expiresAt?: Date; startsAt?: Date },
): Promise<void> {
  const sms = smsRecipientOf(entry.phone);
  const recipient = sms ?? entry.email;
  if (!recipient) return;
  const body: WaitPayload = {
    reference: entry.reference,
    seats: payload.seats,
    ...(payload.eventSlug ? { eventSlug: payload.eventSlug } : {}),
    ...(payload.deskSlug ? { deskSlug: payload.deskSlug } : {}),
    ...(payload.expiresAt ? { expiresAt: payload.expiresAt.toISOString() } : {}),
    ...(payload.startsAt ? { startsAt: payload.startsAt.toISOString() } : {}),
  };
  await enqueueMessage(trx, {
    kind,
    channel: sms ? 'sms' : 'email',
    recipient,
    locale: entry.locale as Locale,
    payload: body as unknown as Record<string, unknown>,
  });
}

export function parseWaitPayload(raw: unknown): WaitPayload {
  const p = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | null;
  if (typeof p?.reference !== 'string' || typeof p.seats !== 'number')
    throw new Error('waiting-list payload is malformed');
  const text = (k: string) => (typeof p[k] === 'string' ? { [k]: p[k] as string } : {});
  return {
    reference: p.reference,
    seats: p.seats,
    ...text('eventSlug'),
    ...text('deskSlug'),
    ...text('expiresAt'),
    ...text('startsAt'),
  };
}
