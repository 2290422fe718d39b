// A real SMPP 3.4 server in the test's process (the `smpp` package's server) on 127.0.0.1: it binds
// transceivers with one system_id and password, accepts submit_sm (and records each as the network
// would get it: destination, data_coding, UDH, decoded text), answers with a message id, and can
// throttle, drop every connection mid-load, send delivery receipts and send replies as a phone would.
// Given a key and certificate it speaks SMPP over TLS (the package's SecureServer), for smpps://.
import smpp, { type PDU, type Server, type Session } from 'smpp';
import type { AddressInfo } from 'node:net';

export interface ReceivedSubmit {
  messageId: string;
  to: string;
  from: string;
  /** The source address's type of number: 5 alphanumeric (a sender name), 1 international. */
  fromTon: number;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** Concatenation header [reference, total, index] when the part has one. */
  concat?: [number, number, number];
  text: string;
}

export interface SmppTestServer {
  port: number;
  url: string;
  submits: ReceivedSubmit[];
  binds: number;
  /** Answer the next N submits with ESME_RTHROTTLED. */
  throttleNext: number;
  /** After this many more accepted submits, drop every connection and stop listening (an outage). */
  outageAfter: number | undefined;
  /** Send a DELIVRD receipt for every accepted submit. */
  autoReceipt: boolean;
  /** How long after the submit's answer that receipt goes (default 5 ms). */
  receiptDelayMs: number;
  /** Told of each accepted submit as it arrives (a load generator waiting for codes). */
  onSubmit?: (submit: ReceivedSubmit) => void;
  /** While true, accepted submits get their answer only at releaseAnswers() (a slow centre). */
  holdAnswers: boolean;
  releaseAnswers(): void;
  /** Whole messages: parts joined by their concatenation header, in order. */
  messages(): { to: string; dataCoding: number; parts: number; text: string; firstId: string }[];
  receipt(messageId: string, stat: 'DELIVRD' | 'UNDELIV' | 'ENROUTE'): void;
  reply(from: string, text: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SYSTEM_ID = 'qubi';
const PASSWORD = 'secret';

export async function startSmppServer(port = 0, tls?: { key: string; cert: string }): Promise<SmppTestServer> {
  let server: Server | undefined;
  let nextId = 1;
  const sessions = new Set<Session>();
  const heldAnswers: (() => void)[] = [];

  const state: SmppTestServer = {
    port,
    url: '',
    submits: [],
    binds: 0,
    throttleNext: 0,
    outageAfter: undefined,
    autoReceipt: false,
    receiptDelayMs: 5,
    holdAnswers: false,
    releaseAnswers() {
      state.holdAnswers = false;
      for (const answer of heldAnswers.splice(0)) answer();
    },
    messages() {
      const whole: ReturnType<SmppTestServer['messages']> = [];
      const partial = new Map<string, ReceivedSubmit[]>();
      for (const s of state.submits) {
        if (!s.concat) {
          whole.push({ to: s.to, dataCoding: s.dataCoding, parts: 1, text: s.text, firstId: s.messageId });
          continue;
        }
        const key = `${s.to}:${s.concat[0]}`;
        const parts = [...(partial.get(key) ?? []), s];
        partial.set(key, parts);
        if (parts.length === s.concat[1]) {
          parts.sort((a, b) => a.concat![2] - b.concat![2]);
          whole.push({
            to: s.to,
            dataCoding: s.dataCoding,
            parts: parts.length,
            text: parts.map((p) => p.text).join(''),
            firstId: parts[0]!.messageId,
          });
          partial.delete(key);
        }
      }
      return whole;
    },
    receipt(messageId, stat) {
      const text = `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2612051200 done date:2612051201 stat:${stat} err:000 text:`;
      for (const s of sessions)
        s.send(
          new smpp.PDU('deliver_sm', {
            source_addr: '393330000000',
            destination_addr: 'QuBi',
            esm_class: 0x04,
            short_message: text,
          }),
        );
    },
    reply(from, text) {
      for (const s of sessions)
        s.send(
          new smpp.PDU('deliver_sm', {
            source_addr: from.replace(/^\+/, ''),
            source_addr_ton: 1,
            destination_addr: 'QuBi',
            data_coding: /^[\x20-\x7e]*$/.test(text) ? 0 : 8,
            short_message: text,
          }),
        );
    },
    async start() {
      server = smpp.createServer(tls ? { key: tls.key, cert: tls.cert } : {}, (session) => {
        sessions.add(session);
        session.on('close', () => sessions.delete(session));
        session.on('error', () => {});
        session.on('bind_transceiver', (pdu: PDU) => {
          const ok = pdu.system_id === SYSTEM_ID && pdu.password === PASSWORD;
          if (ok) state.binds++;
          session.send(pdu.response({ command_status: ok ? smpp.ESME_ROK : smpp.ESME_RBINDFAIL }));
        });
        session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
        session.on('unbind', (pdu: PDU) => {
          session.send(pdu.response());
          session.close();
        });
        session.on('submit_sm', (pdu: PDU) => {
          // The outage: this submit and any after it get no answer; the answers already written still
          // reach the client (the connection is ended, not reset), so what was accepted is known as sent.
          if (state.outageAfter !== undefined && state.outageAfter <= 0) {
            void state.stop();
            return;
          }
          if (state.throttleNext > 0) {
            state.throttleNext--;
            session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
            return;
          }
          const messageId = `m${nextId++}`;
          const short = pdu.short_message as { udh?: Buffer[]; message: string };
          const udh = short.udh?.find((u) => u[0] === 0x00);
          state.submits.push({
            messageId,
            to: String(pdu.destination_addr),
            from: String(pdu.source_addr),
            fromTon: Number(pdu.source_addr_ton),
            dataCoding: Number(pdu.data_coding),
            esmClass: Number(pdu.esm_class),
            registeredDelivery: Number(pdu.registered_delivery),
            ...(udh ? { concat: [udh[2]!, udh[3]!, udh[4]!] as [number, number, number] } : {}),
            text: short.message,
          });
          state.onSubmit?.(state.submits.at(-1)!);
          if (state.outageAfter !== undefined) state.outageAfter--;
          const answer = () => {
            session.send(pdu.response({ message_id: messageId }));
            if (state.autoReceipt) setTimeout(() => state.receipt(messageId, 'DELIVRD'), state.receiptDelayMs);
          };
          if (state.holdAnswers) heldAnswers.push(answer);
          else answer();
        });
      });
      await new Promise<void>((resolve) => server!.listen(state.port, '127.0.0.1', resolve));
      state.port = (server.address() as AddressInfo).port;
      state.url = `${tls ? 'smpps' : 'smpp'}://${SYSTEM_ID}:${PASSWORD}@127.0.0.1:${state.port}`;
    },
    async stop() {
      const s = server;
      server = undefined;
      const closing = [...sessions].map((session) => new Promise<void>((resolve) => session.close(() => resolve())));
      for (const session of sessions) session.pause();
      sessions.clear();
      if (s) await Promise.all([new Promise<void>((resolve) => s.close(() => resolve())), ...closing]);
    },
  };
  await state.start();
  return state;
}
