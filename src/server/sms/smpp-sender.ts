// SMS over SMPP 3.4, the protocol every SMS aggregator offers, with the `smpp` package: one
// bind_transceiver session (submits out; receipts and replies in), kept open and bound again when it
// drops. SMS_TPS is honoured twice: submits are spaced 1/TPS seconds apart (verification codes take
// the next turn ahead of other messages), and at most TPS wait for their submit_sm_resp at once. ESME_RTHROTTLED pauses every submit (1 s, doubling up to 30 s) and
// resends the refused part; any other refusal, or the bind dropping under a submit, fails the
// message and the outbox retries it later.
//
// Long texts go as concatenated parts with an 8-bit reference UDH (esm_class 0x40), GSM-7 as
// data_coding 0 and UCS-2 as data_coding 8; the first part asks for the delivery receipt (the outbox keeps its id).
import { isIP } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';
import { dataCodingOf } from './encoding.ts';
import { parseReceipt } from './receipts.ts';
import type { InboundSms, OutgoingSms, SentSms, SmsSender } from './sender.ts';

export interface SmppOptions {
  /** smpp://system_id:password@host:2775 or smpps://… (TLS). */
  url: string;
  /** Sender shown on the phone: alphanumeric (up to 11) or a number. */
  from: string;
  tps: number;
  log?: (line: string) => void;
  /** First wait after ESME_RTHROTTLED (doubles up to maxBackoffMs). */
  throttleBackoffMs?: number;
  /** First wait before binding again after the connection dropped (doubles up to maxBackoffMs). */
  reconnectDelayMs?: number;
  maxBackoffMs?: number;
  /** How long a submit waits for a bind before it fails (the outbox retries it). */
  bindTimeoutMs?: number;
  /** How long a submit waits for its submit_sm_resp. */
  responseTimeoutMs?: number;
  /** Trust this CA for smpps:// (tests); the system's otherwise. */
  ca?: string | Buffer;
}

class SmppError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSmppSender(options: SmppOptions): SmsSender {
  const url = new URL(options.url);
  const tls = url.protocol === 'smpps:';
  const log = options.log ?? console.log;
  const intervalMs = 1000 / options.tps;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const listeners: ((message: InboundSms) => Promise<void> | void)[] = [];

  let session: Session | undefined;
  let bound = false;
  let closed = false;
  let connecting: Promise<void> | undefined;
  let reconnectDelay = options.reconnectDelayMs ?? 1000;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let nextSubmitAt = 0;
  let pausedUntil = 0;
  let throttleBackoff = options.throttleBackoffMs ?? 1000;
  let inFlight = 0;
  const windowWaiters: (() => void)[] = [];
  let bindWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let reference = Math.floor(Math.random() * 256);

  function call(s: Session, command: string, fields: Record<string, unknown>, timeoutMs?: number): Promise<PDU> {
    return new Promise((resolve, reject) => {
      const timer = timeoutMs ? setTimeout(() => reject(new SmppError(`${command} timed out`)), timeoutMs) : undefined;
      const onClose = () => {
        clearTimeout(timer);
        reject(new SmppError(`SMPP connection closed during ${command}`));
      };
      s.once('close', onClose);
      const send = s[command] as (f: Record<string, unknown>, cb: (pdu: PDU) => void) => boolean;
      const written = send.call(s, fields, (pdu) => {
        clearTimeout(timer);
        s.off('close', onClose);
        resolve(pdu);
      });
      if (!written) {
        clearTimeout(timer);
        s.off('close', onClose);
        reject(new SmppError(`SMPP connection not writable for ${command}`));
      }
    });
  }

  function connect(): Promise<void> {
    connecting ??= new Promise<void>((resolve, reject) => {
      const s = smpp.connect({
        host: url.hostname,
        port: Number(url.port) || (tls ? 3550 : 2775),
        tls,
        // SNI names a host, never an address (RFC 6066); the certificate is checked against either.
        ...(tls
          ? { ...(isIP(url.hostname) ? {} : { servername: url.hostname }), ...(options.ca ? { ca: options.ca } : {}) }
          : {}),
        auto_enquire_link_period: 30_000,
      });
      let settled = false;
      const fail = (error: Error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      // Every submit awaiting its answer listens for the connection's end: up to SMS_TPS at once.
      s.setMaxListeners(0);
      s.on('error', (error: Error) => fail(error));
      s.on('close', () => {
        fail(new SmppError('SMPP connection closed before bind'));
        if (session === s) {
          session = undefined;
          bound = false;
          if (!closed) log('[sms] SMPP connection dropped; binding again');
        }
        scheduleReconnect();
      });
      s.on('deliver_sm', (pdu: PDU) => handleDeliver(s, pdu));
      s.on('enquire_link', (pdu: PDU) => s.send(pdu.response()));
      s.on('unbind', (pdu: PDU) => {
        s.send(pdu.response());
        s.close();
      });
      s.once(tls ? 'secureConnect' : 'connect', () => {
        call(
          s,
          'bind_transceiver',
          {
            system_id: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
            interface_version: 0x34,
          },
          10_000,
        ).then((pdu) => {
          if (pdu.command_status !== smpp.ESME_ROK) {
            fail(new SmppError(`SMPP bind refused (status 0x${pdu.command_status.toString(16)})`, pdu.command_status));
            s.destroy();
            return;
          }
          settled = true;
          session = s;
          bound = true;
          reconnectDelay = options.reconnectDelayMs ?? 1000;
          for (const waiter of bindWaiters) waiter.resolve();
          bindWaiters = [];
          resolve();
        }, fail);
      });
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  /** Keeps a bind open for receipts and replies; waits longer after each failure. */
  function scheduleReconnect(): void {
    if (closed || reconnectTimer || bound) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closed || bound) return;
      connect().catch((error: Error) => {
        log(`[sms] SMPP bind failed: ${error.message}`);
        reconnectDelay = Math.min(reconnectDelay * 2, maxBackoff);
        scheduleReconnect();
      });
    }, reconnectDelay);
  }

  async function boundSession(): Promise<Session> {
    if (closed) throw new SmppError('SMS sender closed');
    if (session && bound) return session;
    const timeout = options.bindTimeoutMs ?? 10_000;
    const waiting = new Promise<void>((resolve, reject) => {
      bindWaiters.push({ resolve, reject });
      setTimeout(() => reject(new SmppError('no SMPP bind within the time allowed')), timeout);
    });
    if (!connecting && !reconnectTimer) connect().catch(() => {});
    await waiting;
    if (!session) throw new SmppError('SMPP connection lost');
    return session;
  }

  async function takeWindowSlot(): Promise<void> {
    while (inFlight >= options.tps) await new Promise<void>((resolve) => windowWaiters.push(resolve));
    inFlight++;
  }
  function releaseWindowSlot(): void {
    inFlight--;
    windowWaiters.shift()?.();
  }

  // Submits wait for their turn in two lines: verification codes first (a family is waiting on the
  // page for each), then everything else in order. At a provider's rate of a few a second, a code
  // queued behind a closed day's cancellations or the evening's reminders would wait minutes.
  const lines = { codes: [] as (() => void)[], others: [] as (() => void)[] };
  let turnTimer: NodeJS.Timeout | undefined;

  /** Waits for this submit's turn: spaced by 1/TPS, and after any throttling pause. */
  function pace(urgent: boolean): Promise<void> {
    return new Promise((resolve) => {
      (urgent ? lines.codes : lines.others).push(resolve);
      giveTurns();
    });
  }

  /** Gives the next turn when it is due, codes first; a timer waits for the one after. */
  function giveTurns(): void {
    if (turnTimer) return;
    while (lines.codes.length || lines.others.length) {
      const now = Date.now();
      const at = Math.max(now, nextSubmitAt, pausedUntil);
      if (at > now) {
        turnTimer = setTimeout(() => {
          turnTimer = undefined;
          giveTurns();
        }, at - now);
        return;
      }
      nextSubmitAt = now + intervalMs;
      (lines.codes.shift() ?? lines.others.shift())!();
    }
  }

  async function submitPart(fields: Record<string, unknown>, urgent: boolean): Promise<string> {
    for (;;) {
      await pace(urgent);
      const s = await boundSession();
      await takeWindowSlot();
      let pdu: PDU;
      try {
        pdu = await call(s, 'submit_sm', fields, options.responseTimeoutMs ?? 30_000);
      } finally {
        releaseWindowSlot();
      }
      if (pdu.command_status === smpp.ESME_RTHROTTLED) {
        pausedUntil = Math.max(pausedUntil, Date.now() + throttleBackoff);
        log(`[sms] SMS centre asks to slow down: pausing ${throttleBackoff} ms`);
        throttleBackoff = Math.min(throttleBackoff * 2, maxBackoff);
        continue;
      }
      if (pdu.command_status !== smpp.ESME_ROK)
        throw new SmppError(`submit_sm refused (status 0x${pdu.command_status.toString(16)})`, pdu.command_status);
      throttleBackoff = options.throttleBackoffMs ?? 1000;
      return String(pdu.message_id ?? '');
    }
  }

  async function handleDeliver(s: Session, pdu: PDU): Promise<void> {
    s.send(pdu.response());
    const esmClass = Number(pdu.esm_class ?? 0);
    const short = pdu.short_message as { message?: unknown } | string | undefined;
    const payload = pdu.message_payload as { message?: unknown } | string | undefined;
    const text = textOf(short) || textOf(payload);
    let inbound: InboundSms | undefined;
    if (esmClass & 0x04) {
      const receipt = parseReceipt(text, {
        ...(typeof pdu.receipted_message_id === 'string' ? { receiptedMessageId: pdu.receipted_message_id } : {}),
        ...(typeof pdu.message_state === 'number' ? { messageState: pdu.message_state } : {}),
      });
      if (receipt) inbound = { type: 'receipt', ...receipt };
    } else {
      const source = String(pdu.source_addr ?? '');
      inbound = { type: 'reply', from: /^[0-9]+$/.test(source) ? `+${source}` : source, text };
    }
    if (!inbound) return;
    for (const listener of listeners) await listener(inbound);
  }

  return {
    async send(message: OutgoingSms): Promise<SentSms> {
      const alphanumeric = /[A-Za-z]/.test(options.from);
      const base = {
        source_addr: options.from.replace(/^\+/, ''),
        source_addr_ton: alphanumeric ? 5 : 1,
        source_addr_npi: alphanumeric ? 0 : 1,
        destination_addr: message.to.replace(/^\+/, ''),
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        registered_delivery: 1,
        data_coding: dataCodingOf(message.encoding),
      };
      const urgent = message.kind === 'verification_code';
      const ids: string[] = [];
      if (message.parts.length === 1) {
        ids.push(await submitPart({ ...base, short_message: message.parts[0] }, urgent));
      } else {
        // This message's own reference: others sent meanwhile take the next ones.
        reference = (reference + 1) % 256;
        const ref = reference;
        const total = message.parts.length;
        for (const [index, part] of message.parts.entries()) {
          const udh = Buffer.from([0x05, 0x00, 0x03, ref, total, index + 1]);
          // Only the first part asks for a receipt: its id is the one the outbox row keeps.
          const receipt = index === 0 ? {} : { registered_delivery: 0 };
          ids.push(
            await submitPart({ ...base, ...receipt, esm_class: 0x40, short_message: { udh, message: part } }, urgent),
          );
        }
      }
      return ids[0] ? { providerMessageId: ids[0] } : {};
    },
    onInbound(listener) {
      listeners.push(listener);
      // Receipts and replies need a bind even before the first message goes out.
      if (!session && !connecting) connect().catch(() => scheduleReconnect());
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      // Submits still waiting for a turn go on to find the sender closed (their message is retried).
      clearTimeout(turnTimer);
      for (const go of lines.codes.splice(0).concat(lines.others.splice(0))) go();
      for (const waiter of bindWaiters) waiter.reject(new SmppError('SMS sender closed'));
      bindWaiters = [];
      const s = session;
      session = undefined;
      bound = false;
      if (!s) return;
      await Promise.race([call(s, 'unbind', {}, 2000).catch(() => undefined), sleep(2000)]);
      s.destroy();
    },
  };
}

function textOf(value: { message?: unknown } | string | undefined): string {
  if (typeof value === 'string') return value;
  if (value && typeof value.message === 'string') return value.message;
  if (value && Buffer.isBuffer(value.message)) return value.message.toString('latin1');
  return '';
}
