// The booking with its verification step, for `npm run bench` (issue #12: "booking with its
// verification step still at ≥ 50 % of the bare transaction for the two writes together").
//
// One sequence is what a family does: POST the booking (a pending hold; the code goes out by SMS),
// read the code, POST it to …/confirm. wrk sends independent requests, so these sequences are
// driven from Node: `connections` loops, each running one sequence after another for `seconds`.
// The rate counts whole sequences that ended confirmed; latencies are per sequence.
//
// The site's code travels as a family's would: the server's worker submits the SMS to an SMS centre
// over SMPP (SMS_URL, as in production; startSmsCentre), which hands it to CodeInbox and sends its
// delivery receipt a second later. With --sms-files the worker writes it to
// DATA_DIR/sms/<id>-verification_code.txt instead (no SMS_URL) and logs its file name, which
// followSmsFiles follows. The bare server answers the code in its first response: it runs the two
// transactions alone (the hold with its code's hash; the check of the code and the confirmation),
// without sending anything.
//
// Each sequence comes from its own client address (X-Forwarded-For through TRUSTED_PROXIES=127.0.0.1),
// as families behind the Comune's proxy do: from one address, holds are capped and serialized on
// purpose (src/features/booking/hold-limits.ts), which is the attacker's case, not the load's.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { insertUnderFreshReference } from '#/features/booking/reference.ts';
import { codeMatches, generateCode, hashCode } from '#/features/verification/code.ts';
import { Conflict, percentile, type LoadResult, type Query } from './bench-lib.ts';
import { startSmppServer } from '../tests/support/smpp-server.ts';
import it from '#/locales/it.json' with { type: 'json' };

/** A distinct client address for the i-th sequence (10.0.0.0/8, never a loopback or a proxy of ours). */
export const clientAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Hands each code that reached a family's phone to whoever waits for that phone (E.164). */
export class CodeInbox {
  private readonly codes = new Map<string, string>();
  private readonly waiting = new Map<string, (code: string) => void>();

  /** A code SMS reached `to`. */
  receive(to: string, code: string): void {
    const waiter = this.waiting.get(to);
    if (waiter) {
      this.waiting.delete(to);
      waiter(code);
    } else this.codes.set(to, code);
  }

  /** The code sent to `phone` (E.164), once its SMS is there; undefined after `timeoutMs`. */
  codeFor(phone: string, timeoutMs = 10_000): Promise<string | undefined> {
    const known = this.codes.get(phone);
    if (known) {
      this.codes.delete(phone);
      return Promise.resolve(known);
    }
    return new Promise((resolve) => {
      const timeout = setTimeout(() => (this.waiting.delete(phone), resolve(undefined)), timeoutMs);
      this.waiting.set(phone, (code) => (clearTimeout(timeout), resolve(code)));
    });
  }
}

/**
 * The SMS centre a production site talks to (SMS_URL): the `smpp` package's server in this process
 * (tests/support/smpp-server.ts), which accepts each submit_sm, hands the codes to `inbox` and, as a
 * provider's centre does, sends a delivery receipt for each message (the site records it).
 */
export async function startSmsCentre(inbox: CodeInbox): Promise<{ url: string; stop: () => Promise<void> }> {
  const centre = await startSmppServer();
  centre.autoReceipt = true;
  // A phone's receipt comes back seconds after the submit, not the test server's 5 ms, which raced
  // the site's own record of the submit (its receipt then waits and looks again: receipts.ts).
  centre.receiptDelayMs = 1000;
  centre.onSubmit = (submit) => {
    // Kept for the tests' assertions there; not needed here, where a run submits thousands.
    centre.submits.length = 0;
    const code = CODE_SMS.exec(submit.text)?.[1];
    if (code) inbox.receive(`+${submit.to.replace(/^\+/, '')}`, code);
  };
  return { url: centre.url, stop: () => centre.stop() };
}

/** The Italian code SMS (the bench's families write in Italian), with the code in its place. */
const CODE_SMS = new RegExp(
  `^${it['sms.verification']
    .split(/(\{\{\w+\}\})/)
    .map((part) =>
      part === '{{code}}' ? '(\\d{6})' : /^\{\{/.test(part) ? '.*?' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('')}$`,
);

/**
 * Follows a running server's output for the code SMS its file transport writes (no SMS_URL), and
 * hands each to `inbox`; returns the function that stops following. Driven by the output's own
 * 'data' events, line by line: polling the whole log every 2 ms (as it did) cost the load generator
 * ~1.5 ms of CPU per sequence more than the bare side's (docs/performance.md, seqcpu).
 */
export function followSmsFiles(output: Readable, inbox: CodeInbox): () => void {
  const decoder = new StringDecoder('utf8');
  // The end of the output after its last newline: the start of a line still being written.
  let partial = '';
  const onData = (chunk: Buffer | string) => {
    const text = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      partial = text;
      return;
    }
    partial = text.slice(end + 1);
    if (!text.includes(CODE_LINE_MARK)) return;
    for (const m of text.slice(0, end).matchAll(CODE_LINE)) readSmsFile(m[1]!, inbox);
  };
  output.on('data', onData);
  return () => void output.off('data', onData);
}

/** Reads the SMS file the worker wrote (a few hundred bytes, already renamed into place). */
function readSmsFile(file: string, inbox: CodeInbox): void {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const to = /^To: (\S+)/m.exec(body)?.[1];
  const code = /\b(\d{6})\b/.exec(body.slice(body.indexOf('\n\n')))?.[1];
  if (to && code) inbox.receive(to, code);
}

const CODE_LINE_MARK = '[sms] verification_code #';
const CODE_LINE = /\[sms\] verification_code #\d+ written to (\S+\.txt)/g;

/**
 * `connections` loops run `sequence(i)` for distinct i (from `from`, fewer than `available`) for
 * `seconds`; a sequence answers the status it ended with. The rate counts those that ended `expect`.
 */
export async function sequenceLoad(options: {
  connections: number;
  seconds: number;
  from: number;
  available: number;
  expect: number;
  sequence: (i: number) => Promise<number>;
}): Promise<LoadResult & { used: number }> {
  let next = options.from;
  const latencies: number[] = [];
  const statuses = new Map<number | string, number>();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline && next < options.available) {
      const i = next++;
      const t = performance.now();
      const status = await options.sequence(i).catch(() => 'error');
      latencies.push(performance.now() - t);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = statuses.get(options.expect) ?? 0;
  return {
    ok,
    perSecond: ok / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    other: [...statuses]
      .filter(([s]) => s !== options.expect)
      .map(([s, n]) => `${n}×${s}`)
      .join(', '),
    used: next - options.from,
  };
}

const HOLD_MINUTES = 15;

/** The bare first write: the place taken as a pending hold, and its code's hash stored. */
export async function holdTransaction(
  query: Query,
  b: { deskId: number; start: string; end: string; phone: string },
  secret: string,
): Promise<{ bookingId: number; reference: string; code: string }> {
  await query(
    'INSERT INTO booking_slot (desk_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, 1) ON CONFLICT (desk_id, starts_at) DO NOTHING',
    [b.deskId, b.start, b.end],
  );
  const slot = await query(
    'UPDATE booking_slot SET booked = booked + 1 WHERE desk_id = $1 AND starts_at = $2 AND booked < capacity RETURNING id',
    [b.deskId, b.start],
  );
  if (slot.rowCount === 0) throw new Conflict();
  const expires = new Date(Date.now() + HOLD_MINUTES * 60_000).toISOString();
  // A reference already taken is drawn again, as the site does (insertUnderFreshReference).
  const row = await insertUnderFreshReference(
    'QB',
    async (reference) =>
      (
        await query(
          `INSERT INTO booking (reference, desk_id, slot_id, starts_at, ends_at, first_name, phone, locale, source, status, hold_expires_at)
     VALUES ($1, $2, $3, $4, $5, 'Bench', $6, 'it', 'api', 'pending', $7) ON CONFLICT (reference) DO NOTHING RETURNING id, reference`,
          [reference, b.deskId, slot.rows[0]!.id, b.start, b.end, b.phone, expires],
        )
      ).rows[0],
  );
  const bookingId = Number(row.id);
  const reference = String(row.reference);
  const code = generateCode();
  await query(
    `INSERT INTO verification_code (booking_id, channel, code_hash, last_sent_at, expires_at) VALUES ($1, 'sms', $2, now(), $3)`,
    [bookingId, hashCode(secret, bookingId, code), expires],
  );
  return { bookingId, reference, code };
}

/** The bare second write: one try counted, the code compared, the hold confirmed and its code spent. */
export async function confirmTransaction(
  query: Query,
  b: { bookingId: number; code: string },
  secret: string,
): Promise<{ confirmed: boolean }> {
  await query(`SELECT id FROM booking WHERE id = $1 AND status = 'pending' FOR UPDATE`, [b.bookingId]);
  const tried = await query(
    'UPDATE verification_code SET attempts = attempts + 1 WHERE booking_id = $1 AND attempts < 5 AND expires_at > now() RETURNING code_hash',
    [b.bookingId],
  );
  const hash = tried.rows[0]?.code_hash;
  if (typeof hash !== 'string' || !codeMatches(secret, b.bookingId, b.code, hash)) throw new Conflict();
  await query(`UPDATE booking SET status = 'confirmed', hold_expires_at = NULL WHERE id = $1`, [b.bookingId]);
  await query('DELETE FROM verification_code WHERE booking_id = $1', [b.bookingId]);
  return { confirmed: true };
}

/**
 * The bare first write of an event sign-up (issue #13): the party's seats taken by the guarded
 * counter, the pending sign-up, its code's hash.
 */
export async function signUpHoldTransaction(
  query: Query,
  s: { eventId: number; phone: string },
  secret: string,
): Promise<{ registrationId: number; code: string }> {
  const seats = 3;
  const taken = await query(
    'UPDATE event SET seats_taken = seats_taken + $2 WHERE id = $1 AND seats_taken + $2 <= seats RETURNING id',
    [s.eventId, seats],
  );
  if (taken.rowCount === 0) throw new Conflict();
  const expires = new Date(Date.now() + HOLD_MINUTES * 60_000).toISOString();
  const row = await insertUnderFreshReference(
    'QE',
    async (reference) =>
      (
        await query(
          `INSERT INTO event_registration (reference, event_id, adults, children_3_6, seats, name, phone, locale, status, hold_expires_at)
     VALUES ($1, $2, 2, 1, $3, 'Bench', $4, 'it', 'pending', $5) ON CONFLICT (reference) DO NOTHING RETURNING id`,
          [reference, s.eventId, seats, s.phone, expires],
        )
      ).rows[0],
  );
  const registrationId = Number(row.id);
  const code = generateCode();
  await query(
    `INSERT INTO verification_code (registration_id, channel, code_hash, last_sent_at, expires_at) VALUES ($1, 'sms', $2, now(), $3)`,
    [registrationId, hashCode(secret, registrationId, code), expires],
  );
  return { registrationId, code };
}

/** The bare second write of a sign-up: one try counted, the code compared, the sign-up confirmed. */
export async function signUpConfirmTransaction(
  query: Query,
  s: { registrationId: number; code: string },
  secret: string,
): Promise<{ confirmed: boolean }> {
  await query(`SELECT id FROM event_registration WHERE id = $1 AND status = 'pending' FOR UPDATE`, [s.registrationId]);
  const tried = await query(
    'UPDATE verification_code SET attempts = attempts + 1 WHERE registration_id = $1 AND attempts < 5 AND expires_at > now() RETURNING code_hash',
    [s.registrationId],
  );
  const hash = tried.rows[0]?.code_hash;
  if (typeof hash !== 'string' || !codeMatches(secret, s.registrationId, s.code, hash)) throw new Conflict();
  await query(`UPDATE event_registration SET status = 'confirmed', hold_expires_at = NULL WHERE id = $1`, [
    s.registrationId,
  ]);
  await query('DELETE FROM verification_code WHERE registration_id = $1', [s.registrationId]);
  return { confirmed: true };
}
