// A family that gave an email signs up for an event (issue #13): through the outbox worker and a
// real SMTP server in-process, the confirmation arrives in the family's language with the event's
// .ics (the event, never the family's name or the "we can't come" token inside it) and the link that
// frees its seats; the day-before reminder waits for REMINDER_TIME on the previous day in Rome, then
// goes with the same link. PGlite, or PostgreSQL with TEST_DATABASE_URL.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workerFeatures } from '#/messages/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { startSink, type Sink } from '../support/smtp-sink.ts';
import { decodeHeader, findPart, parseMime } from '../support/mime.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { confirmRegistration } from '#/features/events/registration-holds.ts';
import { createSmtpMailer } from '#/server/mail/mailer.ts';
import { startWorker } from '#/server/mail/worker.ts';
import { toRomeIso } from '#/lib/time.ts';

const ORIGIN = 'http://qubi.test';
const MINUTE = 60_000;
const now = new Date();
// Ten days ahead at 16:30 in Rome (15:30 or 14:30 UTC), whatever today's offset.
const startsAt = new Date(new Date(now.getTime() + 10 * 86_400_000).toISOString().slice(0, 10) + 'T15:30:00Z');

let t: TestDatabase;
let sink: Sink;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

it('sends the confirmation with the .ics in Spanish, and the reminder at REMINDER_TIME the day before', async () => {
  const event = await insertPartyEvent(t.db, { slug: 'fiesta-correo', startsAt, seats: 20 });
  const held = await registerParty(
    t.db,
    event.id,
    {
      adults: 2,
      children: { '0-3': 0, '3-6': 1, '6-11': 0, '11-14': 0 },
      name: 'Familia Quispe',
      phone: null,
      email: 'rosa.quispe@example.org',
      locale: 'es',
    },
    { client: 'email-client', now },
  );
  if (!held.ok) throw new Error('not held');
  const code = await latestCodeFromOutbox(t.db, 'rosa.quispe@example.org');
  expect(held.hold.channel).toBe('email');
  const confirmed = await confirmRegistration(t.db, held.registration.id, code, { now, reminderAt: '18:00' });
  if (!confirmed.ok) throw new Error('not confirmed');

  let clock = new Date(now.getTime() + MINUTE);
  const worker = startWorker({
    db: t.db,
    mailer: createSmtpMailer(`smtp://127.0.0.1:${sink.port}`, { from: 'QuBì <noreply@qubi.test>', origin: ORIGIN }),
    features: workerFeatures(),
    intervalMs: 0,
    origin: () => ORIGIN,
    now: () => clock,
    log: () => {},
  });
  try {
    sink.received.length = 0;
    await worker.runOnce();
    expect(sink.received).toHaveLength(1);
    const mail = parseMime(sink.received[0]!);
    expect(mail.headers['content-language']).toBe('es');
    expect(decodeHeader(mail.headers.subject!)).toContain('Fiesta');
    const text = findPart(mail, 'text/plain')!.body.replace(/=\r?\n/g, '');
    const cancelLink = `${ORIGIN}/es/eventi/fiesta-correo/non-veniamo?token=`;
    expect(text.replace(/=3D/g, '=')).toContain(cancelLink + confirmed.cancelToken);
    const ics = findPart(mail, 'text/calendar')!.body.replace(/\r?\n[ \t]/g, '');
    expect(ics).toContain('BEGIN:VEVENT');
    expect(ics).toContain(`DTSTART:${startsAt.toISOString().replace(/[-:]/g, '').replace('.000', '')}`);
    expect(ics).toContain('Comunità Oklahoma');
    expect(ics).not.toContain('Quispe');
    expect(ics).not.toContain(confirmed.cancelToken!);

    // The reminder: 18:00 in Rome on the day before the event, and not a minute sooner.
    const reminder = await t.db
      .selectFrom('outbox')
      .select(['send_after', 'status'])
      .where('registration_id', '=', held.registration.id)
      .where('kind', '=', 'event_registration_reminder')
      .executeTakeFirstOrThrow();
    const dayBefore = toRomeIso(new Date(startsAt.getTime() - 86_400_000)).slice(0, 10);
    expect(toRomeIso(reminder.send_after)).toMatch(new RegExp(`^${dayBefore}T18:00:00\\+0[12]:00$`));
    sink.received.length = 0;
    clock = new Date(reminder.send_after.getTime() - MINUTE);
    await worker.runOnce();
    expect(sink.received).toHaveLength(0);
    clock = reminder.send_after;
    await worker.runOnce();
    expect(sink.received).toHaveLength(1);
    const reminded = parseMime(sink.received[0]!);
    expect(reminded.headers['content-language']).toBe('es');
    const reminderText = findPart(reminded, 'text/plain')!
      .body.replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    expect(reminderText).toContain(cancelLink + confirmed.cancelToken);
  } finally {
    await worker.stop();
  }
});
