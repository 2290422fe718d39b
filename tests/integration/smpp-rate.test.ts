// SMS_TPS as the SMS centre sees it (issue #12): a provider's contract counts its rate two ways, and
// the SMPP client (src/server/sms/smpp-sender.ts) keeps both, or the centre answers ESME_RTHROTTLED
// or drops the bind. Submits are spaced 1/SMS_TPS seconds apart, each part of a long message
// counting as one; and no more than SMS_TPS submits wait for their answer at once. Against the real
// SMPP server of the other SMS tests (tests/support/smpp-server.ts); no database.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startSmppServer, type SmppTestServer } from '../support/smpp-server.ts';
import { createSmppSender } from '#/server/sms/smpp-sender.ts';
import { detectEncoding, splitSegments } from '#/server/sms/encoding.ts';
import type { OutgoingSms, SmsSender } from '#/server/sms/sender.ts';

let server: SmppTestServer;
let sender: SmsSender | undefined;

beforeAll(async () => {
  server = await startSmppServer();
});
afterAll(() => server.stop());
beforeEach(() => {
  server.submits.length = 0;
  server.onSubmit = undefined;
});
afterEach(async () => {
  server.releaseAnswers();
  await sender?.close();
});

function message(i: number, text: string): OutgoingSms {
  const encoding = detectEncoding(text);
  return {
    outboxId: i,
    kind: 'verification_code',
    to: `+39333${String(1_000_000 + i).slice(-7)}`,
    text,
    encoding,
    parts: splitSegments(text, encoding),
  };
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

it('spaces submits 1/SMS_TPS apart, each part of a long message counting as one', async () => {
  sender = createSmppSender({ url: server.url, from: 'QuBi Milano', tps: 10, log: () => {} });
  // 5 codes in one part each, and 10 Arabic texts of two UCS-2 parts (70 characters a part): 25 submits.
  const arabic = 'رمز التحقق الخاص بك من QuBì هو 123456. لا تشاركه مع أي شخص. ينتهي بعد 15 دقيقة. '
    .repeat(2)
    .slice(0, 120);
  const messages = [
    ...Array.from({ length: 5 }, (_, i) => message(i, `QuBi: il tuo codice e ${100_000 + i}`)),
    ...Array.from({ length: 10 }, (_, i) => message(5 + i, arabic)),
  ];
  expect(messages.slice(5).every((m) => m.parts.length === 2)).toBe(true);
  const started = performance.now();
  let lastAt = 0;
  server.onSubmit = () => (lastAt = performance.now());
  const sent = await Promise.all(messages.map((m) => sender!.send(m)));

  expect(server.submits).toHaveLength(25);
  expect(new Set(sent.map((s) => s.providerMessageId)).size).toBe(15);
  // The 25th submit leaves no sooner than 24 intervals of 100 ms after the first could (timers may
  // fire a millisecond early): at 10 a second, never a burst.
  expect(lastAt - started).toBeGreaterThanOrEqual(2400 - 5);
});

it('keeps at most SMS_TPS submits waiting for their answer, and sends the rest as answers come', async () => {
  sender = createSmppSender({ url: server.url, from: 'QuBi Milano', tps: 4, log: () => {} });
  server.holdAnswers = true;
  const sending = Promise.all(Array.from({ length: 9 }, (_, i) => sender!.send(message(i, `codice ${i}`))));

  await until(() => server.submits.length >= 4, 10_000);
  expect(server.submits).toHaveLength(4);
  // Spaced 250 ms apart, a fifth submit would be on its way within 250 ms if the window did not
  // hold it: none comes while the centre has not answered.
  await new Promise((r) => setTimeout(r, 700));
  expect(server.submits).toHaveLength(4);

  server.releaseAnswers();
  const sent = await sending;
  expect(server.submits.map((s) => s.text).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `codice ${i}`));
  expect(sent.every((s) => typeof s.providerMessageId === 'string' && s.providerMessageId.length > 0)).toBe(true);
});

it('gives a verification code the next turn ahead of messages queued before it', async () => {
  sender = createSmppSender({ url: server.url, from: 'QuBi Milano', tps: 10, log: () => {} });
  const reminders = Array.from({ length: 8 }, (_, i) => ({
    ...message(i, `QuBi: domani alle 10 allo sportello ${i}`),
    kind: 'booking_reminder',
  }));
  const sending = reminders.map((m) => sender!.send(m));
  // The first reminder is out; the other seven wait for their turns, 100 ms apart.
  await until(() => server.submits.length >= 1, 5000);
  const code = message(99, 'QuBi: il tuo codice e 123456');
  await sender.send(code);

  const order = server.submits.map((submit) => submit.to);
  expect(order.indexOf(code.to.slice(1))).toBe(1);
  await Promise.all(sending);
  expect(server.submits).toHaveLength(9);
});
