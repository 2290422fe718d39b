// The waiting list's SMS texts (issue #13), pure: the event's or the desk's "you are on the list"
// and "a place is free for you until …", with the short /g/ link to the status page and never a
// name. Within 2 segments with the longest real values (wait-sms.test.ts).
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { shortManageUrl, smsText, smsWhen } from '#/features/booking/sms.ts';

export const WAIT_SMS_KEYS = ['joined', 'offer', 'deskJoined', 'deskOffer'] as const;
export type WaitSmsKey = (typeof WAIT_SMS_KEYS)[number];

export function renderWaitSms(input: {
  key: WaitSmsKey;
  locale: Locale;
  origin: string;
  token: string;
  seats: number;
  /** When the event or the offered appointment starts, and until when the offer holds. */
  start?: Date;
  until?: Date;
  /** A desk's list: the desk's area, short. */
  desk?: string;
}): string {
  const t = getTranslator(input.locale);
  const at = (d?: Date) => (d ? smsWhen(d, input.locale) : '');
  const text = t(`waitlist.sms.${input.key}`, {
    seats: input.seats,
    when: at(input.start),
    until: at(input.until),
    desk: input.desk ?? '',
    link: shortManageUrl(input.origin, input.token),
  });
  return smsText(text, input.locale);
}
