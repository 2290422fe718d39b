// Replies to our SMS. "ANNULLA QB-7K4M-2P" (or CANCEL, CANCELAR, 取消, إلغاء, বাতিল…: the word of
// every language) from the phone the booking was made with cancels it through cancelBooking,
// which queues the "cancelled" SMS: that is the confirmation. Anything else, or a reference that is
// not this phone's, gets the short help text with the desk's number (or the site's address when the
// phone has no booking), and nothing changes. The help is itself a message to that phone, so the
// per-recipient daily cap keeps replies from becoming a way to flood a phone.
import type { Db } from '#/server/db/database.ts';
import { isLocale, LOCALES, type Locale } from '#/lib/locales.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { enqueueMessage, smsRecipientOf } from '#/server/mail/outbox.ts';
import { trimOrigin } from '#/server/mail/email-layout.ts';
import type { MessageRenderers } from '#/server/mail/renderers.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { cancelBooking } from './manage-booking.ts';
import { parseReference } from './reference.ts';
import { renderSmsHelp } from './sms.ts';

/** The cancel word of each language, upper-cased, with the language it belongs to. */
function cancelWords(): Map<string, Locale> {
  return new Map(LOCALES.map((locale) => [getTranslator(locale)('sms.cancelWord').toUpperCase(), locale]));
}

export interface CancelRequest {
  reference: string;
  locale: Locale;
}

/** "annulla qb 7k4m 2p", "CANCEL QB-7K4M-2P", "إلغاء QB-7K4M-2P" → the reference and the word's language. */
export function parseCancelReply(text: string): CancelRequest | undefined {
  const compact = text.normalize('NFC').trim().replace(/\s+/g, ' ').toUpperCase();
  for (const [word, locale] of cancelWords()) {
    if (!compact.startsWith(word)) continue;
    const reference = parseReference(compact.slice(word.length).replace(/^[\s:.,-]+/, ''));
    if (reference) return { reference, locale };
  }
  return undefined;
}

export async function handleSmsReply(db: Db, reply: { from: string; text: string }, now: Date): Promise<void> {
  const from = smsRecipientOf(reply.from);
  if (!from) return; // an alphanumeric or landline sender cannot be answered
  const request = parseCancelReply(reply.text);
  const bookings = await db
    .selectFrom('booking')
    .innerJoin('desk', 'desk.id', 'booking.desk_id')
    .select(['booking.id', 'booking.reference', 'booking.status', 'booking.locale', 'desk.slug'])
    .where('booking.phone', '=', from)
    .where('booking.erased_at', 'is', null)
    .orderBy('booking.starts_at', 'desc')
    .limit(20)
    .execute();
  const target = request && bookings.find((b) => b.reference === request.reference && b.status === 'confirmed');
  if (target && (await cancelBooking(db, target.id, now, { answerBySms: true }))) return;
  const latest = bookings[0];
  const locale: Locale = request?.locale ?? (latest && isLocale(latest.locale) ? latest.locale : 'it');
  await enqueueMessage(db, {
    kind: 'sms_help',
    channel: 'sms',
    recipient: from,
    locale,
    payload: latest ? { deskSlug: latest.slug } : {},
  });
}

export const smsReplyRenderers: MessageRenderers = {
  email: {},
  sms: {
    sms_help: async ({ db, message, locale, origin }) => {
      const slug = (message.payload as { deskSlug?: unknown } | null)?.deskSlug;
      const desk = typeof slug === 'string' ? await getDeskBySlug(db, slug) : undefined;
      return renderSmsHelp(locale, desk?.phone ?? trimOrigin(origin));
    },
  },
};
