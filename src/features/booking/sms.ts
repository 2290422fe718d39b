// The SMS about a booking, rendered at send time from the same outbox payload as its email: the
// reference, the desk, day and time, the desk's phone and a short link to change or cancel it.
// Italian, English and Spanish are kept in the GSM alphabet (toGsmText); Arabic and Chinese go as
// UCS-2, so their texts name the desk by its area and keep to the essentials: every template stays
// within 2 segments with the longest real values (sms.test.ts).
//
// Of the desk's "Before you come" facts (issue #14) the SMS carries one: step-free access, the fact
// that decides whether a family with a wheelchair or a pushchair can get in, and short in every
// language; the rest is in the email and on the pages. It goes in only when the whole message stays
// within 2 segments (docs/booking.md, "SMS"), and only once staff have confirmed the facts.
//
// Privacy: no name, topic or note; the link is a key to the booking, as in the email.
import { getTranslator, type Translate } from '#/lib/i18n.ts';
import { LATIN_LOCALES, localeRecord, type Locale } from '#/lib/locales.ts';
import { formatShortDate, formatTime } from '#/lib/format.ts';
import { romeParts } from '#/lib/time.ts';
import { trimOrigin } from '#/server/mail/email-layout.ts';
import { measureSms, toGsmText } from '#/server/sms/encoding.ts';
import type { DeskFacts } from '#/features/desks/desks.ts';
import type { BookingMessageKind, BookingPayload } from './emails.ts';

export interface SmsDesk {
  name: string;
  area: string;
  phone: string;
  facts?: Pick<DeskFacts, 'stepFree' | 'isSample'>;
}

/** A message of more parts costs more and some phones show it split: the SMS never goes beyond 2. */
export const SMS_MAX_SEGMENTS = 2;

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
  const plain = smsText(`${main} ${tail}`, locale);
  const fact = accessFact(input.desk, t);
  if (!fact) return plain;
  // The fact before the link, which reads (and is tapped) best at the end.
  const withFact = smsText(`${main} ${fact} ${tail}`, locale);
  return measureSms(withFact).segments <= SMS_MAX_SEGMENTS ? withFact : plain;
}

/** "Step-free entrance." or "Steps at the entrance: call…", when staff have said which. */
function accessFact(desk: SmsDesk, t: Translate): string | undefined {
  const facts = desk.facts;
  // Sample facts are not sent: an SMS has no room for the "example data" label the email carries.
  if (!facts || facts.isSample || facts.stepFree === null) return undefined;
  return facts.stepFree ? t('sms.booking.stepFree.yes') : t('sms.booking.stepFree.no');
}

/** The answer to a reply we could not act on: how to cancel, and whom to call. */
export function renderSmsHelp(locale: Locale, phone: string): string {
  const t = getTranslator(locale);
  return smsText(t('sms.help', { word: t('sms.cancelWord'), phone }), locale);
}
