// PostgreSQL going away while the site runs: pages answer 503 quickly with a readable page, and
// the site recovers by itself when the database is back. A TCP relay stands in for the network
// between the server and PostgreSQL, so the test can cut it without stopping the shared server.
// *.pg.test.ts files run only in the PostgreSQL suite (npm run test:pg): PGlite has no network to lose.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { startSink, type Sink } from '../support/smtp-sink.ts';
import pg from 'pg';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';

function startRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
      ),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('database outage (PostgreSQL)', () => {
  let server: RunningServer;
  let relay: ReturnType<typeof startRelay>;
  const schema = `outage_${process.pid}_${Date.now()}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    await client.query(statement);
    await client.end();
  };

  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}`);
    relay = startRelay(new URL(testDatabaseUrl!));
    const port = await relay.listen();
    // The server reaches PostgreSQL through the relay, in a schema of its own.
    const viaRelay = new URL(testDatabaseUrl!);
    viaRelay.host = `127.0.0.1:${port}`;
    viaRelay.searchParams.set('options', `-c search_path=${schema}`);
    server = await startServer({ DATABASE_URL: viaRelay.toString() });
  });
  afterAll(async () => {
    await server?.stop();
    await relay?.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('answers 503 with a readable page while the database is away, and recovers by itself', async () => {
    expect((await fetch(`${server.origin}/it/sportelli`)).status).toBe(200);
    relay.cut();
    const started = Date.now();
    const down = await fetch(`${server.origin}/it/sportelli/quarto-oggiaro?during-outage=1`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect(await down.text()).toContain('Servizio momentaneamente non disponibile');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(503);
    relay.restore();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await fetch(`${server.origin}/healthz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await fetch(`${server.origin}/it/sportelli/quarto-oggiaro?after-outage=1`)).status).toBe(200);
  });
});

describe('database outage during a booking load (PostgreSQL)', () => {
  // Ten seconds without PostgreSQL while families keep booking: every answer is a 201 or a quick
  // 503 (never a 500, never a hang), the site serves again by itself, every acknowledged booking is
  // stored once, and the outbox then sends each stored hold's code exactly once.
  const OUTAGE_MS = 10_000;
  const schema = `outage_load_${process.pid}_${Date.now()}`;
  let server: RunningServer;
  let relay: ReturnType<typeof startRelay>;
  let sink: Sink;
  let direct: pg.Client;

  beforeAll(async () => {
    direct = new pg.Client({ connectionString: testDatabaseUrl });
    await direct.connect();
    await direct.query(`CREATE SCHEMA ${schema}`);
    sink = await startSink();
    relay = startRelay(new URL(testDatabaseUrl!));
    const viaRelay = new URL(testDatabaseUrl!);
    viaRelay.host = `127.0.0.1:${await relay.listen()}`;
    viaRelay.searchParams.set('options', `-c search_path=${schema}`);
    server = await startServer(
      {
        DATABASE_URL: viaRelay.toString(),
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        MAIL_FROM: 'QuBì <noreply@qubi.example.org>',
        RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000000',
        RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '1000000',
        MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
        HOLDS_PER_CLIENT: '1000000',
        BOOKINGS_PER_CONTACT_PER_DESK: '1000000',
        BOOKINGS_PER_CONTACT: '1000000',
      },
      {
        // Ten desks open every day 9–18: thousands of distinct slots, so no request meets a full one.
        async prepare(db) {
          for (let i = 0; i < 10; i++) {
            const desk = await db
              .insertInto('desk')
              .values({
                slug: `carico-${i}`,
                municipio_id: 8,
                name: `Sportello di carico ${i}`,
                area: 'Prova',
                address: 'Via Prova 1, Milano',
                phone: '02 0000 0000',
                services: ['orientation'],
                slot_minutes: 30,
                capacity_per_slot: 1,
                is_sample_address: true,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            await db
              .insertInto('desk_opening_hours')
              .values(
                [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
                  desk_id: desk.id,
                  weekday,
                  opens: '09:00',
                  closes: '18:00',
                })),
              )
              .execute();
          }
        },
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await relay?.close();
    await sink?.close();
    await direct?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await direct?.end();
  });

  it('answers 201 or a quick 503 through a 10 s outage, keeps every 201, and sends each hold’s code once afterwards', async () => {
    const from = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 40 * 86400_000).toISOString().slice(0, 10);
    const slots: { desk: string; start: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.origin}/api/v1/desks/carico-${i}/slots?from=${from}&to=${to}`);
      for (const s of (await res.json()) as { start: string; remaining: number }[])
        if (s.remaining > 0) slots.push({ desk: `carico-${i}`, start: s.start });
    }
    expect(slots.length).toBeGreaterThan(2000);

    type Answer = {
      key: string;
      status: number;
      ms: number;
      sentAt: number;
      reference?: string;
      body: string;
      retryAfter: string | null;
    };
    const answers: Answer[] = [];
    const began = Date.now();
    let cutAt = 0;
    let restoredAt = 0;
    let stop = false;
    let next = 0;
    const client = async () => {
      while (!stop && next < slots.length) {
        const i = next++;
        const slot = slots[i]!;
        const key = `outage-${i}`;
        const sentAt = Date.now();
        const res = await fetch(`${server.origin}/api/v1/bookings`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            desk: slot.desk,
            start: slot.start,
            name: 'Famiglia',
            email: `famiglia.${i}@example.org`,
            locale: 'it',
            privacyAccepted: true,
            submissionKey: key,
          }),
          signal: AbortSignal.timeout(20_000),
        });
        const body = await res.text();
        const answer: Answer = {
          key,
          status: res.status,
          ms: Date.now() - sentAt,
          sentAt,
          body,
          retryAfter: res.headers.get('retry-after'),
        };
        if (res.status === 201) answer.reference = (JSON.parse(body) as { reference: string }).reference;
        answers.push(answer);
        // A family's pace, not a flood: the point is the outage, not the throughput.
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const clients = Array.from({ length: 6 }, client);
    const timeline = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      cutAt = Date.now();
      relay.cut();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      relay.restore();
      restoredAt = Date.now();
      // Keep booking until the site has answered 201 again for a while.
      while (
        answers.filter((a) => a.sentAt > restoredAt && a.status === 201).length < 20 &&
        Date.now() - restoredAt < 30_000
      )
        await new Promise((r) => setTimeout(r, 200));
      stop = true;
    })();
    // A failed fetch means the server went away: its output says why.
    await Promise.all([...clients, timeline]).catch((error: unknown) => {
      console.log(server.output());
      throw error;
    });

    // Only 201 and 503; a 503 is quick and says when to come back.
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([201, 503]);
    for (const a of answers.filter((a) => a.status === 503)) {
      expect(a.ms).toBeLessThan(6000);
      expect(JSON.parse(a.body)).toEqual({ error: 'unavailable', message: expect.stringContaining('Riprova') });
      expect(a.retryAfter).toBe('30');
    }
    const during = answers.filter((a) => a.sentAt > cutAt + 500 && a.sentAt < restoredAt - 500);
    expect(during.length).toBeGreaterThan(10);
    expect(during.every((a) => a.status === 503)).toBe(true);
    expect(answers.filter((a) => a.sentAt < cutAt && a.status === 201).length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.sentAt > restoredAt && a.status === 201).length).toBeGreaterThanOrEqual(20);
    expect(Date.now() - began).toBeLessThan(60_000);

    // Every acknowledged booking is stored once; the slot counters match the rows.
    const acknowledged = answers.filter((a) => a.status === 201);
    // Keys are stored scoped to the contact they came with (submission-key.ts).
    const storedKey = (key: string) =>
      scopedSubmissionKey(key, { phone: null, email: `famiglia.${key.slice('outage-'.length)}@example.org` })!;
    const sentKeys = answers.map((a) => storedKey(a.key));
    const { rows } = await direct.query<{ submission_key: string; reference: string }>(
      `SELECT submission_key, reference FROM ${schema}.booking WHERE submission_key = ANY($1)`,
      [sentKeys],
    );
    const stored = new Map(rows.map((r) => [r.submission_key, r.reference]));
    for (const a of acknowledged) expect(stored.get(storedKey(a.key))).toBe(a.reference);
    const { rows: mismatched } = await direct.query(
      `SELECT s.id FROM ${schema}.booking_slot s LEFT JOIN ${schema}.booking b ON b.slot_id = s.id AND b.status <> 'cancelled' GROUP BY s.id, s.booked HAVING s.booked <> count(b.id)`,
    );
    expect(mismatched).toEqual([]);

    // The outbox catches up: one code per stored hold (acknowledged or not), to its email, none twice.
    const { rows: held } = await direct.query<{ email: string }>(
      `SELECT email FROM ${schema}.booking WHERE submission_key = ANY($1)`,
      [sentKeys],
    );
    const mentions = (email: string) => sink.received.filter((m) => m.includes(email)).length;
    // The worker marks a message sent just after the mail server took it: wait for both.
    const unsent = async () =>
      (
        await direct.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE kind = 'verification_code' AND status <> 'sent'`,
        )
      ).rows[0]!.n;
    const deadline = Date.now() + 30_000;
    while ((held.some((h) => mentions(h.email) === 0) || (await unsent()) > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    for (const { email } of held) expect(mentions(email), email).toBe(1);
    expect(await unsent()).toBe(0);
  }, 120_000);
});
