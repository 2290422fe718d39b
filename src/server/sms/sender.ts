// The transport an SMS leaves by: the SMPP client (smpp-sender.ts) with SMS_URL, otherwise text
// files under DATA_DIR/sms (file-sender.ts), as emails are written as .eml files.
import type { SmsEncoding } from './encoding.ts';

export interface OutgoingSms {
  outboxId: number;
  kind: string;
  /** E.164. */
  to: string;
  text: string;
  encoding: SmsEncoding;
  /** The parts it goes in (splitSegments). */
  parts: string[];
}

export interface SentSms {
  /** The SMS centre's id for the (first part of the) message, which its delivery receipt names. */
  providerMessageId?: string;
}

/** A message the phone network sent us: a delivery receipt, or a reply a person typed. */
export type InboundSms =
  | { type: 'receipt'; providerMessageId: string; delivered: boolean; state: string }
  | { type: 'reply'; from: string; text: string };

export interface SmsSender {
  send(message: OutgoingSms): Promise<SentSms>;
  /** Receipts and replies, as they arrive (SMPP only). */
  onInbound(listener: (message: InboundSms) => Promise<void> | void): void;
  close(): Promise<void>;
}
