// The SMS about a booking, rendered at send time from the same outbox payload as its email: the
// reference, the desk, day and time, the desk's phone and a short link to change or cancel it.
// Italian, English and Spanish are kept in the GSM alphabet (toGsmText); Arabic and Chinese go as
// UCS-2, so their texts name the desk by its area and keep to the essentials: every template stays
// within 2 segments with the longest real values (sms.test.ts).
//
// Privacy: no name, topic or note; the link is a key to the booking, as in the email.
import { getTranslator } from '#/lib/i18n.ts';
import { LATIN_LOCALES, localeRecord, type Locale } from '#/lib/locales.ts';
import { formatShortDate, formatTime } from '#/lib/format.ts';
import { romeParts } from '#/lib/time.ts';
import { trimOrigin } from '#/server/mail/email-layout.ts';
import { toGsmText } from '#/server/sms/encoding.ts';
import type { BookingMessageKind, BookingPayload } from './emails.ts';

export interface SmsDesk {
  name: string;
  area: string;
  phone: string;
}

/** The short address the SMS carries: /g/<token> answers with a redirect to the booking's (or pledge's) page. */
export function shortManageUrl(origin: string, token: string): string {
  return `${trimOrigin(origin)}/g/${token}`;
}

/** Latin-script languages keep to the GSM alphabet; the others are sent as they are. */
export function smsText(text: string, locale: Locale): string {
  return LATIN_LOCALES.has(locale) ? toGsmText(text) : text;
}

/**
 * "lun 14 dic 10:30", in the reader's language. Arabic spells weekdays and months in full, which
 * would push a confirmation to a third UCS-2 segment: there the day is written "14/12 10:30".
 */
export function smsWhen(start: Date, locale: Locale): string {
  if (localeRecord(locale).smsNumericDate) {
    const { day, month } = romeParts(start);
    return `${day}/${month} ${formatTime(start, locale)}`;
  }
  return `${formatShortDate(start, locale)} ${formatTime(start, locale)}`;
}

export function smsDeskName(desk: SmsDesk, locale: Locale): string {
  return LATIN_LOCALES.has(locale) ? desk.name : desk.area;
}

export interface BookingSmsInput {
  kind: BookingMessageKind;
  payload: BookingPayload;
  desk: SmsDesk;
  locale: Locale;
  origin: string;
}

export function renderBookingSms(input: BookingSmsInput): string {
  const t = getTranslator(input.locale);
  const { payload, locale } = input;
  const values = {
    reference: payload.reference,
    desk: smsDeskName(input.desk, locale),
    when: smsWhen(payload.start, locale),
    phone: input.desk.phone,
  };
  // The desk closed that day (issue #15): the cancellation carries the link to choose again.
  if (input.kind === 'booking_cancelled' && payload.dayClosed && payload.manageToken)
    return smsText(t('closeDay.sms', { ...values, link: shortManageUrl(input.origin, payload.manageToken) }), locale);
  const main = t(`sms.booking.${input.kind.replace('booking_', '')}`, values);
  if (input.kind === 'booking_cancelled') return smsText(main, locale);
  const tail = payload.manageToken
    ? t('sms.booking.manage', { link: shortManageUrl(input.origin, payload.manageToken) })
    : t('sms.booking.replyToCancel', { word: t('sms.cancelWord'), reference: payload.reference });
  return smsText(`${main} ${tail}`, locale);
}

/** The answer to a reply we could not act on: how to cancel, and whom to call. */
export function renderSmsHelp(locale: Locale, phone: string): string {
  const t = getTranslator(locale);
  return smsText(t('sms.help', { word: t('sms.cancelWord'), phone }), locale);
}
