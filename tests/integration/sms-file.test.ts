// Without SMS_URL each SMS is written as a text file under DATA_DIR/sms, so `npm start` shows what a
// phone would get; the log names the file only (no phone number, no link with its token).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerFeatures } from '#/messages/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { startWorker } from '#/server/mail/worker.ts';
import { createSmsSender } from '#/server/sms/create-sender.ts';

let t: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, new Date());
  dataDir = await mkdtemp(path.join(tmpdir(), 'qubi-sms-'));
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe(`SMS as files (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('writes a phone-only booking confirmation in Chinese to DATA_DIR/sms with its encoding and segments', async () => {
    const desk = (await getDeskBySlug(t.db, 'gallaratese'))!;
    const [slot] = await nextFreeSlots(t.db, desk, new Date(Date.now() + 3 * 86_400_000), new Date(), 1);
    const made = await createBooking(
      t.db,
      {
        desk,
        start: slot!.start,
        firstName: 'Li',
        email: null,
        phone: '+393471234567',
        topic: 'school',
        note: null,
        locale: 'zh',
        submissionKey: null,
        source: 'public',
      },
      new Date(),
    );
    if (!made.ok) throw new Error('not booked');
    const logLines: string[] = [];
    const sms = createSmsSender({ smsUrl: undefined, smsFrom: 'QuBi', smsTps: 10, dataDir }, (l) => logLines.push(l));
    const worker = startWorker({
      db: t.db,
      mailer: { send: async () => {} },
      sms,
      features: workerFeatures(),
      intervalMs: 0,
      origin: () => 'http://localhost:4321',
      now: () => new Date(Date.now() + 1000),
      log: (l) => logLines.push(l),
    });
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0 });
    await worker.stop();
    const files = await readdir(path.join(dataDir, 'sms'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d+-booking_confirmation\.txt$/);
    const body = await readFile(path.join(dataDir, 'sms', files[0]!), 'utf8');
    expect(body).toContain('To: +393471234567');
    expect(body).toContain('Encoding: UCS-2');
    expect(body).toMatch(/Segments: [12]\n/);
    expect(body).toContain(`您的预约 ${made.booking.reference} 已确认`);
    expect(body).toContain(`http://localhost:4321/g/${made.manageToken}`);
    expect(logLines.join('\n')).not.toMatch(/3471234567|\/g\//);
    const row = await t.db
      .selectFrom('outbox')
      .select(['status', 'encoding', 'segments'])
      .where('kind', '=', 'booking_confirmation')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', encoding: 'ucs2' });
  });
});
