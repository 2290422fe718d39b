// Drafts too big for a cookie (an event with five long descriptions) are kept in a sealed
// `form_draft` row named by the cookie, never shortened, and erased within the hour: by the read
// that finds them expired, or by the worker's hourly housekeeping. PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerFeatures } from '#/messages/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  DRAFT_MAX_AGE_SECONDS,
  MAX_SEALED_LENGTH,
  openStoredDraft,
  rewriteDraftRow,
  sealDraft,
  storeDraftRow,
} from '#/server/forms/form-draft.ts';
import { startWorker } from '#/server/mail/worker.ts';
import type { Mailer } from '#/server/mail/mailer.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const secret = 'test-secret-0123456789abcdef';
const now = new Date('2030-03-01T10:00:00Z');
const hourLater = new Date(now.getTime() + DRAFT_MAX_AGE_SECONDS * 1000 + 1);
/** Text that does not deflate away: letters of one script in a pseudo-random order. */
function prose(first: number, letters: number, length: number): string {
  let seed = first;
  return Array.from({ length }, () =>
    String.fromCodePoint(first + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % letters)),
  ).join('');
}
/** Over 20 KB: five descriptions in five scripts. */
const bigDraft = {
  scope: 'evento:nuovo',
  fields: [
    ['it', 0x61],
    ['en', 0x41],
    ['ar', 0x627],
    ['es', 0xe0],
    ['zh', 0x4e00],
  ].map(([l, first]) => [`description-${l}`, `${prose(first as number, 26, 2500)}\n**fine**`]),
};
const rowCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('form_draft')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('form drafts too big for a cookie', () => {
  it('round-trip a 20 KB draft intact through a sealed row, the cookie holding only a short handle', async () => {
    expect(JSON.stringify(bigDraft).length).toBeGreaterThan(10_000);
    expect(Buffer.byteLength(JSON.stringify(bigDraft))).toBeGreaterThan(20_000);
    expect(sealDraft(secret, 'staff', bigDraft, now)).toBeUndefined(); // it would not fit a cookie
    const cookie = await storeDraftRow(t.db, secret, 'staff', bigDraft, now);
    expect(cookie.length).toBeLessThan(200);
    expect(await openStoredDraft(t.db, secret, 'staff', cookie, now)).toEqual(bigDraft);
    // The row is sealed: the database alone shows nothing of the answers.
    const rows = await t.db.selectFrom('form_draft').select(['id', 'payload']).execute();
    const row = rows.find((r) => r.payload.length > MAX_SEALED_LENGTH)!;
    expect(row.id).toMatch(/^[0-9a-f]{32}$/);
    expect(row.payload).not.toMatch(/fine|description/);
    // The handle is sealed too: another flow, another secret or an altered handle find nothing.
    expect(await openStoredDraft(t.db, secret, 'pledge', cookie, now)).toBeUndefined();
    expect(await openStoredDraft(t.db, 'another-secret-0123456789', 'staff', cookie, now)).toBeUndefined();
    expect(await openStoredDraft(t.db, secret, 'staff', `r.${row.id}`, now)).toBeUndefined();
    expect(
      await openStoredDraft(t.db, secret, 'staff', cookie.slice(0, -2) + (cookie.endsWith('A') ? 'BB' : 'AA'), now),
    ).toBeUndefined();
  });

  it('are rewritten in place once their errors are shown: same row, same handle, same end of life', async () => {
    const withErrors = { ...bigDraft, errors: [['startTime', { key: 'events.error.time' }]], unseen: true };
    const cookie = await storeDraftRow(t.db, secret, 'staff', withErrors, now);
    const before = await rowCount();
    const expiresAt = new Date(now.getTime() + DRAFT_MAX_AGE_SECONDS * 1000);
    const shown = new Date(now.getTime() + 10 * 60_000);
    const answersOnly = { ...bigDraft, errors: [], unseen: false };
    expect(await rewriteDraftRow(t.db, secret, 'staff', cookie, answersOnly, expiresAt, shown)).toBe(true);
    expect(await rowCount()).toBe(before);
    // The cookie the browser holds (unchanged) finds the answers without the errors, every character kept.
    expect(await openStoredDraft(t.db, secret, 'staff', cookie, shown)).toEqual(answersOnly);
    // Still gone an hour after the POST, not an hour after the rewrite.
    expect(await openStoredDraft(t.db, secret, 'staff', cookie, new Date(expiresAt.getTime() - 1))).toEqual(
      answersOnly,
    );
    expect(await openStoredDraft(t.db, secret, 'staff', cookie, hourLater)).toBeUndefined();
    // Another flow's handle, or a value naming no row, rewrites nothing.
    expect(await rewriteDraftRow(t.db, secret, 'pledge', cookie, answersOnly, expiresAt, shown)).toBe(false);
    expect(await rewriteDraftRow(t.db, secret, 'staff', 'not-a-handle', answersOnly, expiresAt, shown)).toBe(false);
  });

  it('are gone an hour later: a read deletes expired rows', async () => {
    const cookie = await storeDraftRow(t.db, secret, 'staff', bigDraft, now);
    expect(await rowCount()).toBeGreaterThan(0);
    expect(await openStoredDraft(t.db, secret, 'staff', cookie, hourLater)).toBeUndefined();
    expect(await rowCount()).toBe(0);
  });

  it('are deleted by the hourly housekeeping once expired, and not before', async () => {
    await storeDraftRow(t.db, secret, 'staff', bigDraft, now);
    await storeDraftRow(t.db, secret, 'booking', bigDraft, new Date(now.getTime() + 30 * 60_000));
    const mailer: Mailer = { send: async () => {} } as unknown as Mailer;
    const worker = startWorker({
      db: t.db,
      mailer,
      features: workerFeatures(),
      intervalMs: 0,
      origin: () => 'http://127.0.0.1',
      now: () => hourLater,
      log: () => {},
    });
    await worker.runOnce();
    await worker.stop();
    // The first is over an hour old and gone; the second, written half an hour later, is kept.
    expect(await rowCount()).toBe(1);
  });
});
