// What the code step (after "confirm") shows: where the code went, until when the place is held,
// and, once, what happened to the last form sent. Pure.
import type { CodeChannel } from './codes.ts';

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
