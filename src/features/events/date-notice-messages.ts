// "Your date was cancelled" and "your date moved": the messages a family signed up for a date (or
// waiting on its list) gets when staff cancel or move it (date-notices.ts queues them). Pure,
// rendered at send time from the outbox payload and the event as it is then, on the channel the
// sign-up's confirmation went (SMS to a mobile, else email).
//
// A family on a moved date's waiting list gets texts of its own (event_date_moved_waiting): "you are
// still on the waiting list", "the seats offered are held for you until …", or "the new start is
// too soon to hold the seats offered; you are still on the list" (ListStanding, read at send time
// from the entry as it is then); never the signed-up families' "your seats are kept".
//
// The SMS names the activity, which registration-messages.ts does not: a family told "cancelled"
// must know what. A title runs to 200 characters, so the SMS carries as much of it as fits in 2
// segments (GSM-7 for the Latin-script languages, UCS-2 for the others); a series' page link (its
// other dates) goes in only while at least SMS_TITLE_MIN characters of the title stay, as a UCS-2
// message has room for a long address or a title, rarely both (date-notice-messages.test.ts).
import { getTranslator, type Translate } from '#/lib/i18n.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { formatDateAndTime } from '#/lib/format.ts';
import { eventPath } from '#/lib/paths.ts';
import { siteUrl, trimOrigin, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import { SMS_MAX_SEGMENTS, smsText, smsWhen } from '#/features/booking/sms.ts';
import type { PublicEvent } from './events.ts';

export const DATE_NOTICE_KINDS = ['event_date_cancelled', 'event_date_moved', 'event_date_moved_waiting'] as const;
export type DateNoticeKind = (typeof DATE_NOTICE_KINDS)[number];

/**
 * Where a family on a moved date's waiting list stands when told: still waiting, holding an offer
 * (until when), or back to waiting because the new start left no time to hold its offer.
 */
export type ListStanding =
  { status: 'waiting' } | { status: 'offered'; until: Date; seats: number } | { status: 'offerEnded' };

export interface DateNoticePayload {
  /** The sign-up's reference, or the waiting-list entry's (`list`). */
  reference: string;
  eventSlug: string;
  /** The series' slug when the date is one of a recurring activity: its page lists the other dates. */
  seriesSlug: string | null;
  /** A waiting-list entry told (closed by the cancellation, or on the list of a moved date), not a sign-up. */
  list: boolean;
  /** event_date_moved_waiting: the move ended the entry's offer (too little time left to answer). */
  offerEnded?: boolean;
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
    ...(p.offerEnded === true ? { offerEnded: true } : {}),
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

/** The SMS's sentence of each kind (and standing, for a waiting family); literal keys, so the locale test sees them. */
function smsSentence(
  t: Translate,
  kind: DateNoticeKind,
  standing: ListStanding | undefined,
  values: { event: string; when: string; reference: string },
  locale: Locale,
): string {
  if (kind === 'event_date_cancelled') return t('sms.event.dateCancelled', values);
  if (kind === 'event_date_moved') return t('sms.event.dateMoved', values);
  if (standing?.status === 'offered')
    return t('sms.event.dateMovedOffer', { ...values, until: smsWhen(standing.until, locale) });
  if (standing?.status === 'offerEnded') return t('sms.event.dateMovedOfferEnded', values);
  return t('sms.event.dateMovedWaiting', values);
}

export function renderDateNoticeSms(input: {
  kind: DateNoticeKind;
  payload: DateNoticePayload;
  title: string;
  start: Date;
  locale: Locale;
  origin: string;
  /** event_date_moved_waiting: the entry's standing at send time. */
  standing?: ListStanding;
}): string {
  const t = getTranslator(input.locale);
  const { payload, locale } = input;
  const when = smsWhen(input.start, locale);
  const main = (title: string) =>
    smsSentence(t, input.kind, input.standing, { event: title, when, reference: payload.reference }, locale);
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

/** A moved date's email to a family on its waiting list: its standing, and the link to its status page. */
function listMovedEmail(
  t: Translate,
  standing: ListStanding,
  values: { event: string; when: string },
  locale: Locale,
): { intro: string; linkText: string } {
  if (standing.status === 'offered')
    return {
      intro: t('email.event.dateMovedOffer.intro', {
        ...values,
        seats: standing.seats,
        until: formatDateAndTime(standing.until, null, locale),
      }),
      linkText: t('waitlist.email.offer.link'),
    };
  return {
    intro:
      standing.status === 'offerEnded'
        ? t('email.event.dateMovedOfferEnded.intro', values)
        : t('email.event.dateMovedWaiting.intro', values),
    linkText: t('waitlist.email.joined.link'),
  };
}

/** The email of a signed-up family (and of a waiting one told of a cancellation). */
export function renderDateNoticeEmail(input: {
  kind: Exclude<DateNoticeKind, 'event_date_moved_waiting'>;
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
  return renderEmail(locale, {
    subject: t(`${base}.subject`, { event: title }),
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
  });
}

/**
 * The moved date's email to a family on its waiting list (event_date_moved_waiting): its standing at
 * send time, and the link to its status page (where it sees its place, or answers the offer).
 */
export function renderListMovedEmail(input: {
  payload: DateNoticePayload;
  event: PublicEvent;
  locale: Locale;
  list: { standing: ListStanding; statusUrl: string };
}): RenderedEmail {
  const t = getTranslator(input.locale);
  const { payload, event, locale } = input;
  const title = localize(event.title, locale);
  const when = formatDateAndTime(event.startsAt, null, locale);
  const { intro, linkText } = listMovedEmail(t, input.list.standing, { event: title, when }, locale);
  const body: EmailBody = {
    subject: t('email.event.dateMoved.subject', { event: title }),
    intro,
    details: [
      { label: t('waitlist.reference'), value: payload.reference, ltr: true },
      { label: t('event.when'), value: formatDateAndTime(event.startsAt, event.endsAt, locale) },
      { label: t('event.where'), value: `${event.venue}, ${event.address}` },
    ],
    links: [{ text: linkText, url: input.list.statusUrl }],
  };
  return renderEmail(locale, body, { manageUrl: input.list.statusUrl });
}
