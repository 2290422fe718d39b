// Pledge and volunteer emails through the outbox, against a real SMTP server in-process (smtp-server):
// what each message says and to whom, what is withdrawn when things change, and the hourly jobs that
// expire unkept pledges and delete unconfirmed volunteers. Runs on PGlite and, with TEST_DATABASE_URL,
// on PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workerFeatures } from '#/messages/index.ts';
import { startSink, type Sink } from '../support/smtp-sink.ts';
import { decodeHeader, findPart, outboxIdOf, parseMime } from '../support/mime.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { cancelPledge } from '#/features/campaign/close-pledge.ts';
import { createPledge, type NewPledge } from '#/features/campaign/create-pledge.ts';
import { confirmVolunteer, signUpVolunteer, withdrawVolunteer } from '#/features/volunteers/volunteers.ts';
import { reminderTime } from '#/server/mail/outbox.ts';
import { createSmtpMailer, type Mailer } from '#/server/mail/mailer.ts';
import { startWorker, type RunningWorker } from '#/server/mail/worker.ts';
import { volunteerSchema } from '#/features/volunteers/vocabulary.ts';

const ORIGIN = 'http://qubi.test';
const FROM = 'QuBì Milano <noreply@qubi.test>';
// Far from the real clock on purpose: messages written "now" (real time) are due at once.
const now = new Date('2030-03-04T08:00:00Z');
const HOUR = 3_600_000;
const DAY = 86_400_000;

let t: TestDatabase;
let window: { id: number; startsAt: Date; endsAt: Date; pointName: string; pointAddress: string };

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  const w = await t.db
    .selectFrom('collection_window')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .select([
      'collection_window.id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      'drop_off_point.name',
      'drop_off_point.address',
    ])
    .orderBy('collection_window.starts_at')
    .executeTakeFirstOrThrow();
  window = { id: w.id, startsAt: w.starts_at, endsAt: w.ends_at, pointName: w.name, pointAddress: w.address };
});
afterAll(() => t.close());

let clock = now;
const logLines: string[] = [];
beforeEach(async () => {
  await t.db.deleteFrom('outbox').execute();
  clock = now;
  logLines.length = 0;
});

/** An iCalendar file with its folded lines joined again. */
function unfold(ics: string): string {
  return ics.replace(/\r\n[ \t]/g, '');
}

interface Mail {
  raw: string;
  subject: string;
  to: string;
  language: string;
  text: string;
  html: string;
  ics: string | undefined;
}

function read(raw: string): Mail {
  const mime = parseMime(raw);
  const ics = findPart(mime, 'text/calendar')?.body;
  return {
    raw,
    subject: decodeHeader(mime.headers.subject ?? ''),
    to: mime.headers.to ?? '',
    language: mime.headers['content-language'] ?? '',
    text: findPart(mime, 'text/plain')!.body,
    html: findPart(mime, 'text/html')!.body,
    ics: ics === undefined ? undefined : unfold(ics),
  };
}

// ---- the worker and the domain ---------------------------------------------------------------

function worker(sink: Sink): RunningWorker {
  const mailer: Mailer = createSmtpMailer(`smtp://127.0.0.1:${sink.port}`, { from: FROM, origin: ORIGIN });
  return startWorker({
    db: t.db,
    mailer,
    features: workerFeatures(),
    intervalMs: 0,
    origin: () => ORIGIN,
    now: () => clock,
    log: (line) => logLines.push(line),
  });
}

async function outboxRows(owner: 'pledge_id' | 'volunteer_id', id: number) {
  return t.db
    .selectFrom('outbox')
    .select(['id', 'kind', 'status', 'recipient'])
    .where(owner, '=', id)
    .orderBy('id')
    .execute();
}

/** The received mail written for an outbox row. */
function mailOf(sink: Sink, outboxId: number): Mail {
  const raw = sink.received.find((r) => outboxIdOf(r) === outboxId);
  if (!raw) throw new Error(`message #${outboxId} was not received`);
  return read(raw);
}

// Lucía pledges once per window; the other pledges of these tests are other donors' (one open
// pledge per contact and window).
let donors = 0;
const anotherDonor = () => ({
  email: `donor${donors}@example.org`,
  // A landline: no SMS is queued, so these tests stay about emails.
  phone: `+3902${String(20000000 + donors++)}`,
});
const pledgeRequest = (over: Partial<NewPledge> = {}): NewPledge => ({
  campaignSlug: 'zaino-sospeso',
  lines: [
    { item: 'zaino', quantity: 2 },
    { item: 'colla', quantity: 3 },
  ],
  collectionWindowId: window.id,
  firstName: 'Lucía',
  email: 'lucia.donor@example.org',
  // A landline: no SMS beside these emails (the pledge's SMS are tested in sms-smpp.test.ts).
  phone: '+390287654321',
  locale: 'es',
  submissionKey: null,
  ...over,
});

async function pledge(over: Partial<NewPledge> = {}) {
  const outcome = await createPledge(t.db, pledgeRequest(over), now);
  if (!outcome.ok) throw new Error(`pledge refused: ${outcome.reason}`);
  return outcome;
}

const volunteerForm = (over: Record<string, unknown> = {}) =>
  volunteerSchema.parse({
    name: 'Giulia Bianchi',
    email: 'giulia.volunteer@example.org',
    phone: '340 765 4321',
    municipi: ['8', '2'],
    skills: ['homework', 'translation'],
    languages: ['ar'],
    availability: ['tue-afternoon'],
    note: 'private note',
    locale: 'en',
    consent: true,
    ...over,
  });

async function volunteerId(email: string): Promise<number> {
  return (await t.db.selectFrom('volunteer').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

async function itemPledged(slug: string): Promise<number> {
  return (await t.db.selectFrom('campaign_item').select('pledged').where('slug', '=', slug).executeTakeFirstOrThrow())
    .pledged;
}

describe(`pledge and volunteer emails (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('confirms a pledge in the donor’s language, with the items, where and when, the manage link and a calendar file', async () => {
    const sink = await startSink();
    try {
      const made = await pledge();
      expect(await worker(sink).runOnce()).toEqual({ sent: 1, failed: 0 });
      const rows = await outboxRows('pledge_id', made.pledge.id);
      expect(rows.map((r) => [r.kind, r.status])).toEqual([
        ['pledge_confirmation', 'sent'],
        ['pledge_reminder', 'pending'],
      ]);
      const mail = mailOf(sink, rows[0]!.id);
      expect(mail.to).toContain('lucia.donor@example.org');
      expect(mail.language).toBe('es');
      expect(mail.subject).toBe('¡Gracias! Tu promesa para la mochila solidaria está registrada');
      expect(mail.subject).not.toContain('Lucía');
      expect(mail.text).toContain('Hola, Lucía:');
      expect(mail.text).toContain('2 × Mochila');
      expect(mail.text).toContain('3 × Pegamento en barra');
      expect(mail.text).toContain(window.pointName);
      expect(mail.text).toContain(window.pointAddress);
      expect(mail.text).toContain(made.pledge.reference);
      expect(mail.text).toContain(`${ORIGIN}/es/zaino-sospeso/gestisci?token=${made.manageToken}`);
      expect(mail.html).toContain('<html lang="es" dir="ltr">');
      expect(mail.html).toContain(`href="${ORIGIN}/es/zaino-sospeso/gestisci?token=${made.manageToken}"`);

      const ics = mail.ics!;
      expect(ics).toContain(`UID:pledge-${made.pledge.reference}@qubi.test`);
      expect(ics).toContain(`SUMMARY:Zaino sospeso – ${window.pointName}`);
      expect(ics).toContain(
        `DTSTART:${window.startsAt
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '')}`,
      );
      expect(ics).toContain(
        `DTEND:${window.endsAt
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '')}`,
      );
      expect(ics).toContain('STATUS:CONFIRMED');
      for (const personal of ['Lucía', 'lucia.donor', '87654321', made.manageToken!, 'Mochila'])
        expect(ics).not.toContain(personal);
    } finally {
      await sink.close();
    }
  });

  it('cancelling sends the cancellation (removing the calendar entry) and withdraws the reminder', async () => {
    const sink = await startSink();
    try {
      const before = await itemPledged('zaino');
      const donor = anotherDonor();
      const made = await pledge({ ...donor, locale: 'en', lines: [{ item: 'zaino', quantity: 1 }] });
      const w = worker(sink);
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      expect(await cancelPledge(t.db, made.pledge.id, clock)).toBe(true);
      expect(await itemPledged('zaino')).toBe(before);
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });

      const rows = await outboxRows('pledge_id', made.pledge.id);
      expect(rows.map((r) => [r.kind, r.status])).toEqual([
        ['pledge_confirmation', 'sent'],
        ['pledge_reminder', 'cancelled'],
        ['pledge_cancelled', 'sent'],
      ]);
      const mail = mailOf(sink, rows[2]!.id);
      expect(mail.to).toContain(donor.email);
      expect(mail.subject).toBe('Your pledge to the suspended backpack is cancelled');
      expect(mail.text).toContain('1 × Backpack');
      expect(mail.text).toContain(made.pledge.reference);
      expect(mail.text).toMatch(/http:\/\/qubi\.test\/en\/zaino-sospeso\r?\n/);
      expect(mail.text).not.toContain('gestisci');
      expect(mail.ics).toContain(`UID:pledge-${made.pledge.reference}@qubi.test`);
      expect(mail.ics).toContain('STATUS:CANCELLED');
      expect(mail.ics).toContain(`SEQUENCE:${rows[2]!.id}`);

      // The reminder's time comes: nothing more goes out.
      clock = new Date(reminderTime(window.startsAt).getTime() + 60_000);
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
      expect(sink.received).toHaveLength(2);
    } finally {
      await sink.close();
    }
  });

  it('sends the reminder of an open pledge on the day before, and not of one closed meanwhile', async () => {
    const sink = await startSink();
    try {
      const open = await pledge({ ...anotherDonor(), locale: 'it', lines: [{ item: 'astuccio', quantity: 1 }] });
      const received = await pledge({ ...anotherDonor(), locale: 'it', lines: [{ item: 'astuccio', quantity: 1 }] });
      const w = worker(sink);
      expect(await w.runOnce()).toEqual({ sent: 2, failed: 0 });
      // Staff mark it received without touching the outbox: the worker itself must notice.
      await t.db.updateTable('pledge').set({ status: 'received' }).where('id', '=', received.pledge.id).execute();
      clock = new Date(reminderTime(window.startsAt).getTime() + 60_000);
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      const [, reminder] = await outboxRows('pledge_id', open.pledge.id);
      expect(reminder).toMatchObject({ kind: 'pledge_reminder', status: 'sent' });
      const mail = mailOf(sink, reminder!.id);
      expect(mail.subject).toBe('Promemoria: domani puoi portare il materiale per lo zaino sospeso');
      expect(mail.text).toContain('1 × Astuccio completo');
      expect(mail.text).toContain(`${ORIGIN}/it/zaino-sospeso/gestisci?token=${open.manageToken}`);
      expect(mail.ics).toBeUndefined();
      expect((await outboxRows('pledge_id', received.pledge.id))[1]).toMatchObject({
        kind: 'pledge_reminder',
        status: 'cancelled',
      });
    } finally {
      await sink.close();
    }
  });

  it('a volunteer sign-up gets the confirm-address mail, with the confirm and withdraw links', async () => {
    const sink = await startSink();
    try {
      expect(
        await signUpVolunteer(t.db, volunteerForm({ email: 'first.signup@example.org', locale: 'ar' }), now),
      ).toEqual({ status: 'confirmation_sent' });
      const id = await volunteerId('first.signup@example.org');
      // Read the links' tokens before sending: once sent, they are removed from the outbox.
      const [row] = await t.db
        .selectFrom('outbox')
        .select(['id', 'kind', 'payload'])
        .where('volunteer_id', '=', id)
        .execute();
      expect(await worker(sink).runOnce()).toEqual({ sent: 1, failed: 0 });
      expect(row!.kind).toBe('volunteer_confirm_address');
      const mail = mailOf(sink, row!.id);
      expect(mail.to).toContain('first.signup@example.org');
      expect(mail.language).toBe('ar');
      expect(mail.html).toContain('<html lang="ar" dir="rtl">');
      const confirmUrl = `${ORIGIN}/ar/volontari/conferma?token=${row!.payload.confirmToken as string}`;
      const withdrawUrl = `${ORIGIN}/ar/volontari/ritira?token=${row!.payload.withdrawToken as string}`;
      expect(mail.text).toContain(confirmUrl);
      expect(mail.text).toContain(withdrawUrl);
      expect(mail.html).toContain(`href="${confirmUrl}"`);
      expect(mail.html).toContain(`href="${withdrawUrl}"`);
      expect(mail.subject).not.toContain('Giulia');
    } finally {
      await sink.close();
    }
  });

  it('a confirmation link replaced by a second sign-up is not sent', async () => {
    const sink = await startSink();
    try {
      await signUpVolunteer(t.db, volunteerForm({ email: 'twice@example.org' }), now);
      await signUpVolunteer(t.db, volunteerForm({ email: 'twice@example.org', name: 'Giulia B.' }), now);
      expect(await worker(sink).runOnce()).toEqual({ sent: 1, failed: 0 });
      const rows = await outboxRows('volunteer_id', await volunteerId('twice@example.org'));
      expect(rows.map((r) => [r.kind, r.status])).toEqual([
        ['volunteer_confirm_address', 'cancelled'],
        ['volunteer_confirm_address', 'sent'],
      ]);
    } finally {
      await sink.close();
    }
  });

  it('confirming welcomes the volunteer and tells each chosen municipio’s network, without naming the volunteer', async () => {
    const sink = await startSink();
    try {
      const email = 'giulia.volunteer@example.org';
      await signUpVolunteer(t.db, volunteerForm(), now);
      const w = worker(sink);
      const id = await volunteerId(email);
      const confirm = await t.db
        .selectFrom('outbox')
        .select('payload')
        .where('volunteer_id', '=', id)
        .where('kind', '=', 'volunteer_confirm_address')
        .executeTakeFirstOrThrow();
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      expect(await confirmVolunteer(t.db, confirm.payload.confirmToken as string, new Date(now.getTime() + HOUR))).toBe(
        'confirmed',
      );

      expect(await w.runOnce()).toEqual({ sent: 3, failed: 0 });
      const rows = await outboxRows('volunteer_id', id);
      const welcome = rows.find((r) => r.kind === 'volunteer_welcome')!;
      expect(welcome).toMatchObject({ status: 'sent', recipient: email });
      const welcomeMail = mailOf(sink, welcome.id);
      expect(welcomeMail.subject).toBe('Welcome to the QuBì volunteers');
      expect(welcomeMail.text).toContain('Hello Giulia Bianchi,');
      expect(welcomeMail.text).toContain('will contact you');
      const withdrawUrl = new RegExp(`${ORIGIN}/en/volontari/ritira\\?token=([0-9]+\\.[A-Za-z0-9_-]+)`).exec(
        welcomeMail.text,
      );
      expect(withdrawUrl).not.toBeNull();

      const notices = rows.filter((r) => r.kind === 'volunteer_coordinator_notice');
      expect(notices.map((n) => [n.recipient, n.status]).sort()).toEqual([
        ['rete.municipio2@qubi.example.org', 'sent'],
        ['rete.municipio8@qubi.example.org', 'sent'],
      ]);
      for (const n of notices) {
        const mail = mailOf(sink, n.id);
        expect(mail.to).toContain(n.recipient);
        expect(mail.language).toBe('it');
        expect(mail.subject).toBe('Nuovo volontario per il tuo municipio');
        expect(mail.text).toContain(`Municipio ${n.recipient === 'rete.municipio2@qubi.example.org' ? 2 : 8}`);
        expect(mail.text).toContain('aiuto compiti, traduzione');
        expect(mail.text).toContain('area riservata allo staff');
        // Nothing that identifies the volunteer, anywhere in the message (headers included).
        for (const personal of ['Giulia', 'Bianchi', 'giulia.volunteer', '7654321', 'private note', 'ritira', 'token='])
          expect(mail.raw).not.toContain(personal);
      }

      // The withdraw link of the welcome works: everything about the volunteer goes.
      expect(await withdrawVolunteer(t.db, withdrawUrl![1]!)).toBe(true);
      expect(await t.db.selectFrom('volunteer').select('id').where('id', '=', id).execute()).toEqual([]);
      expect(await outboxRows('volunteer_id', id)).toEqual([]);
    } finally {
      await sink.close();
    }
  });

  it('the hourly job expires unkept pledges, erases past donors and deletes unconfirmed volunteers', async () => {
    const sink = await startSink();
    try {
      const before = await itemPledged('diario');
      const unkept = await pledge({ ...anotherDonor(), email: null, lines: [{ item: 'diario', quantity: 4 }] });
      await signUpVolunteer(t.db, volunteerForm({ email: 'never.confirmed@example.org' }), now);
      const confirmed = 'confirmed.later@example.org';
      await signUpVolunteer(t.db, volunteerForm({ email: confirmed }), now);
      const token = (
        await t.db.selectFrom('outbox').select('payload').where('recipient', '=', confirmed).executeTakeFirstOrThrow()
      ).payload.confirmToken as string;
      expect(await confirmVolunteer(t.db, token, now)).toBe('confirmed');
      await t.db.deleteFrom('outbox').execute();
      expect(await itemPledged('diario')).toBe(before + 4);

      // Past the grace period (48 h after the window) and the 7 days of the confirmation link.
      clock = new Date(Math.max(window.endsAt.getTime() + 49 * HOUR, now.getTime() + 8 * DAY));
      await worker(sink).runOnce();
      const row = await t.db
        .selectFrom('pledge')
        .select(['status', 'first_name', 'erased_at'])
        .where('id', '=', unkept.pledge.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'expired', first_name: 'Lucía', erased_at: null });
      expect(await itemPledged('diario')).toBe(before);
      expect(
        await t.db
          .selectFrom('volunteer')
          .select('email')
          .where('email', 'in', ['never.confirmed@example.org', confirmed])
          .execute(),
      ).toEqual([{ email: confirmed }]);
      expect(logLines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/expired \d+ unkept pledges/),
          expect.stringMatching(/deleted \d+ unconfirmed volunteer sign-ups/),
        ]),
      );

      // 60 days after the window the donor's personal data goes; the totals stay.
      clock = new Date(window.endsAt.getTime() + 61 * DAY);
      await worker(sink).runOnce();
      const erased = await t.db
        .selectFrom('pledge')
        .select(['first_name', 'email', 'phone', 'erased_at'])
        .where('id', '=', unkept.pledge.id)
        .executeTakeFirstOrThrow();
      expect(erased).toMatchObject({ first_name: null, email: null, phone: null });
      expect(erased.erased_at).not.toBeNull();
      expect(await itemPledged('diario')).toBe(before);
      expect(sink.received).toEqual([]);
      expect(logLines.join('\n')).not.toMatch(/example\.org|Lucía|Giulia/);
    } finally {
      await sink.close();
    }
  });

  it('fails at once a message of an unknown kind, and one whose campaign is gone', async () => {
    const sink = await startSink();
    try {
      await t.db
        .insertInto('outbox')
        .values({ kind: 'pledge_thank_you', recipient: 'x@example.org', locale: 'it', payload: '{}' })
        .execute();
      const made = await pledge({ ...anotherDonor(), lines: [{ item: 'forbici', quantity: 1 }] });
      await t.db
        .updateTable('outbox')
        .set({
          payload: JSON.stringify({
            ...(
              await t.db
                .selectFrom('outbox')
                .select('payload')
                .where('pledge_id', '=', made.pledge.id)
                .where('kind', '=', 'pledge_confirmation')
                .executeTakeFirstOrThrow()
            ).payload,
            campaignSlug: 'gone',
          }),
        })
        .where('pledge_id', '=', made.pledge.id)
        .where('kind', '=', 'pledge_confirmation')
        .execute();
      expect(await worker(sink).runOnce()).toEqual({ sent: 0, failed: 2 });
      const failed = await t.db
        .selectFrom('outbox')
        .select(['kind', 'status', 'attempts', 'last_error'])
        .where('status', '=', 'failed')
        .orderBy('id')
        .execute();
      expect(failed).toEqual([
        {
          kind: 'pledge_thank_you',
          status: 'failed',
          attempts: 1,
          last_error: 'unknown message kind "pledge_thank_you"',
        },
        { kind: 'pledge_confirmation', status: 'failed', attempts: 1, last_error: 'campaign "gone" not found' },
      ]);
      expect(sink.received).toEqual([]);
    } finally {
      await sink.close();
    }
  });
});
