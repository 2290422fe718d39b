// "Your date was cancelled" and "your date moved": the messages a family signed up for a date (or
// waiting on its list) gets when staff cancel or move it (date-notices.ts queues them). Pure,
// rendered at send time from the outbox payload and the event as it is then, on the channel the
// sign-up's confirmation went (SMS to a mobile, else email).
//
// The SMS names the activity, which registration-messages.ts does not: a family told "cancelled"
// must know what. A title runs to 200 characters, so the SMS carries as much of it as fits in 2
// segments (GSM-7 for the Latin-script languages, UCS-2 for the others); a series' page link (its
// other dates) goes in only while at least SMS_TITLE_MIN characters of the title stay, as a UCS-2
// message has room for a long address or a title, rarely both (date-notice-messages.test.ts).
import { getTranslator } from '#/lib/i18n.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { formatDateAndTime } from '#/lib/format.ts';
import { eventPath } from '#/lib/paths.ts';
import {
  renderHtml,
  renderText,
  siteUrl,
  trimOrigin,
  type EmailContent,
  type RenderedEmail,
} from '#/server/mail/email-layout.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import { SMS_MAX_SEGMENTS, smsText, smsWhen } from '#/features/booking/sms.ts';
import type { PublicEvent } from './events.ts';

export const DATE_NOTICE_KINDS = ['event_date_cancelled', 'event_date_moved'] as const;
export type DateNoticeKind = (typeof DATE_NOTICE_KINDS)[number];

export interface DateNoticePayload {
  /** The sign-up's reference, or the waiting-list entry's (`list`). */
  reference: string;
  eventSlug: string;
  /** The series' slug when the date is one of a recurring activity: its page lists the other dates. */
  seriesSlug: string | null;
  /** A waiting-list entry told (closed by the cancellation), not a sign-up. */
  list: boolean;
}

export function parseDateNoticePayload(raw: unknown): DateNoticePayload {
  const p = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | null;
  if (typeof p?.reference !== 'string' || typeof p.eventSlug !== 'string')
    throw new Error('date notice payload is malformed');
  return {
    reference: p.reference,
    eventSlug: p.eventSlug,
    seriesSlug: typeof p.seriesSlug === 'string' ? p.seriesSlug : null,
    list: p.list === true,
  };
}

/** Fewer characters of the title than this and the series' link gives way to the title. */
const SMS_TITLE_MIN = 24;

const fits = (text: string) => measureSms(text).segments <= SMS_MAX_SEGMENTS;

/**
 * The longest start of `title` (cut with "…") for which `build` stays within 2 segments, and how
 * many characters of the title it kept; undefined when not even an empty title fits.
 */
function fitTitle(title: string, build: (title: string) => string): { text: string; kept: number } | undefined {
  const chars = [...title];
  if (fits(build(title))) return { text: build(title), kept: chars.length };
  let lo = 0;
  let hi = chars.length - 1;
  let best: { text: string; kept: number } | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const cut = chars.slice(0, mid).join('').trimEnd();
    const text = build(cut ? `${cut}…` : '');
    if (fits(text)) {
      best = { text, kept: mid };
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

export function renderDateNoticeSms(input: {
  kind: DateNoticeKind;
  payload: DateNoticePayload;
  title: string;
  start: Date;
  locale: Locale;
  origin: string;
}): string {
  const t = getTranslator(input.locale);
  const { payload, locale } = input;
  const when = smsWhen(input.start, locale);
  const key = input.kind === 'event_date_cancelled' ? 'sms.event.dateCancelled' : 'sms.event.dateMoved';
  const main = (title: string) => t(key, { event: title, when, reference: payload.reference });
  const link =
    input.kind === 'event_date_cancelled' && payload.seriesSlug
      ? ` ${t('sms.event.otherDates', { link: `${trimOrigin(input.origin)}${eventPath(locale, payload.seriesSlug)}` })}`
      : '';
  const title = input.title.replace(/\s+/g, ' ').trim();
  if (link) {
    const withLink = fitTitle(title, (cut) => smsText(`${main(cut)}${link}`, locale));
    // Enough of the title to recognise the activity, or the link gives way.
    if (withLink && withLink.kept >= Math.min(SMS_TITLE_MIN, [...title].length)) return withLink.text;
  }
  return (fitTitle(title, (cut) => smsText(main(cut), locale)) ?? { text: smsText(main(''), locale) }).text;
}

export function renderDateNoticeEmail(input: {
  kind: DateNoticeKind;
  payload: DateNoticePayload;
  event: PublicEvent;
  locale: Locale;
  origin: string;
}): RenderedEmail {
  const t = getTranslator(input.locale);
  const { payload, event, locale, origin } = input;
  const title = localize(event.title, locale);
  const when = formatDateAndTime(event.startsAt, null, locale);
  const base = input.kind === 'event_date_cancelled' ? 'email.event.dateCancelled' : 'email.event.dateMoved';
  const content: EmailContent = {
    subject: t(`${base}.subject`, { event: title }),
    greeting: t('email.greetingAnonymous'),
    intro: t(`${base}.intro`, { event: title, when }),
    details: [
      { label: t('events.confirmed.reference'), value: payload.reference, ltr: true },
      { label: t('event.when'), value: formatDateAndTime(event.startsAt, event.endsAt, locale) },
      { label: t('event.where'), value: `${event.venue}, ${event.address}` },
    ],
    links:
      input.kind === 'event_date_cancelled' && payload.seriesSlug
        ? [
            {
              text: t('email.event.dateCancelled.otherDates'),
              url: siteUrl(origin, eventPath(locale, payload.seriesSlug)),
            },
          ]
        : [],
    notes: [],
    closing: t('email.closing'),
    signature: t('email.signature'),
    footer: t('email.footer'),
  };
  return { subject: content.subject, text: renderText(content), html: renderHtml(content, locale) };
}
