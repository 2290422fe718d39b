// What the worker asks of the features: one renderer per message kind and channel, given the claimed
// row, the reader's language and the site's origin. The worker never knows what a booking or a
// pledge is; the table is put together outside server/ (src/messages/index.ts), so dependencies keep
// pointing from features to server and never back.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import type { RenderedEmail } from './email-layout.ts';

export interface ClaimedMessage {
  id: number;
  kind: string;
  channel: 'email' | 'sms';
  recipient: string;
  locale: string;
  payload: unknown;
  bookingId: number | null;
  pledgeId: number | null;
  volunteerId: number | null;
  /** Including the attempt just claimed. */
  attempts: number;
  createdAt: Date;
}

export interface RenderRequest {
  db: Db;
  message: ClaimedMessage;
  locale: Locale;
  origin: string;
}

/** The message is no longer wanted (its booking cancelled, its person erased): not sent, marked cancelled. */
export const WITHDRAWN = 'withdrawn';
type Rendered<T> = T | typeof WITHDRAWN;

export type EmailRenderer = (request: RenderRequest) => Promise<Rendered<RenderedEmail>> | Rendered<RenderedEmail>;
/** The SMS text, plain; the worker measures its encoding and segments. */
export type SmsRenderer = (request: RenderRequest) => Promise<Rendered<string>> | Rendered<string>;

export interface MessageRenderers {
  email: Readonly<Record<string, EmailRenderer>>;
  sms: Readonly<Record<string, SmsRenderer>>;
}
