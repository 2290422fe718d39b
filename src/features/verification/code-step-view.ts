// What a code step shows — a booking's after "confirm", a pledge's after "pledge": where the code
// went, until when the hold lasts, and, once, what happened to the last form sent. Pure but for
// the resend wait it reads (CODE_RESEND_SECONDS).
import { resendAfterSeconds, type CodeChannel } from './codes.ts';
import { MAX_ATTEMPTS, MAX_SENDS, maskEmail, maskPhone } from './code.ts';
import { LOCALE_TAGS, type Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';

export const CODE_MESSAGES = [
  'codeFormat',
  'codeWrong',
  'codeLocked',
  'resendTooSoon',
  'resendNoMore',
  'emailInvalid',
  'resent',
] as const;
/** A message key (booking.code.*), with the tries left for 'codeWrong' or the seconds for 'resendTooSoon'. */
export interface CodeMessage {
  key: (typeof CODE_MESSAGES)[number];
  count: number;
}

export interface CodeStepView {
  /** Masked: "+39 ••• 4567", "m•••@example.org". */
  sentTo: string;
  channel: CodeChannel;
  start: Date;
  end: Date;
  expiresAt: Date;
  /** The hold ran out (or was released): the place is free again, book again. */
  lapsed: boolean;
  /** Five wrong codes: no more tries for this hold. */
  locked: boolean;
  /** An email the booking has, masked, when the code went by SMS ("use email instead"). */
  otherEmail: string | null;
  canResend: boolean;
  message?: CodeMessage;
}

/** 410 a lapsed hold, 429 locked or asked again too soon, 422 a refused code, else 200. */
export function codeStepStatus(view: CodeStepView): number {
  if (view.lapsed) return 410;
  if (view.locked || view.message?.key === 'resendTooSoon' || view.message?.key === 'codeLocked') return 429;
  if (view.message && view.message.key !== 'resent') return 422;
  return 200;
}

/** A hold as the code step needs it (a booking's or a pledge's). */
export interface HoldForCodeStep {
  channel: CodeChannel | null;
  phone: string | null;
  email: string | null;
  expiresAt: Date | null;
  attempts: number;
  sends: number;
  lastSentAt: Date | null;
}

/** The code step of a hold: `lapsed` as the hold's own rule says, `start`/`end` what it holds (a slot, a window). */
export function buildCodeStepView(
  hold: HoldForCodeStep,
  state: { lapsed: boolean; start: Date; end: Date; now: Date; message?: CodeMessage | undefined },
): CodeStepView {
  const channel = hold.channel ?? (hold.phone ? 'sms' : 'email');
  const resendAt = (hold.lastSentAt?.getTime() ?? 0) + resendAfterSeconds() * 1000;
  return {
    sentTo: channel === 'sms' ? maskPhone(hold.phone ?? '') : maskEmail(hold.email ?? ''),
    channel,
    start: state.start,
    end: state.end,
    expiresAt: hold.expiresAt ?? state.now,
    lapsed: state.lapsed,
    locked: hold.attempts >= MAX_ATTEMPTS,
    otherEmail: channel === 'sms' && hold.email ? maskEmail(hold.email) : null,
    canResend: hold.sends < MAX_SENDS && resendAt <= state.now.getTime(),
    ...(state.message ? { message: state.message } : {}),
  };
}

/** Where the code went, as the JSON API says it (masked), or null once nothing waits for a code. */
export function codeSentToJson(hold: Pick<HoldForCodeStep, 'channel' | 'phone' | 'email'> & { status: string }) {
  const { channel } = hold;
  if (hold.status !== 'pending' || !channel) return null;
  return { channel, to: channel === 'sms' ? maskPhone(hold.phone ?? '') : maskEmail(hold.email ?? '') };
}

/**
 * "You can ask for a new code after 1 minute, up to 2 times": the wait as CODE_RESEND_SECONDS sets
 * it, in whole minutes when it is, else in seconds, written by Intl in the reader's language (its
 * plural forms: "2 minuti", "دقيقتان", "5 хвилин"); each locale's sentence takes the wait as a
 * subject or after a word that does not change it. No wait: the sentence without one.
 */
export function resendHint(t: Translate, locale: Locale, seconds: number = resendAfterSeconds()): string {
  if (seconds === 0) return t('booking.code.resendHintNow');
  const [value, unit] = seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  const wait = new Intl.NumberFormat(LOCALE_TAGS[locale], { style: 'unit', unit, unitDisplay: 'long' }).format(value);
  return t('booking.code.resendHint', { wait });
}
