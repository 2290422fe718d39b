// The signed form timestamp is spent by the first contact that sends it: a bot that fetched a form
// once cannot post it again and again under other names; the same person sending again can.
// PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { pruneSpentFormStamps, signFormTimestamp, spendFormSubmission } from '#/server/security/anti-spam.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const secret = 'test-secret';
const shown = new Date('2030-03-01T10:00:00Z');
const later = new Date(shown.getTime() + 20_000);

describe('form timestamps', () => {
  it('are spent by the first contact: another contact reusing one is refused, the same one may send again', async () => {
    const token = signFormTimestamp(secret, shown);
    const send = (contact: string | null) => spendFormSubmission(t.db, { honeypot: '', token }, contact, secret, later);
    expect(await send('+393331234567')).toBe('ok');
    expect(await send('+393331234567')).toBe('ok'); // a double click, or the form corrected and sent again
    expect(await send('+393339999999')).toBe('bad_token'); // a replay under another name
    expect(await send(null)).toBe('bad_token');
    // A fresh form is a fresh stamp.
    expect(
      await spendFormSubmission(
        t.db,
        { honeypot: '', token: signFormTimestamp(secret, new Date(shown.getTime() + 1)) },
        '+393339999999',
        secret,
        later,
      ),
    ).toBe('ok');
  });

  it('let one of two racing contacts through', async () => {
    const token = signFormTimestamp(secret, new Date(shown.getTime() + 5));
    const verdicts = await Promise.all(
      ['a@example.org', 'b@example.org', 'c@example.org'].map((c) =>
        spendFormSubmission(t.db, { honeypot: '', token }, c, secret, later),
      ),
    );
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(1);
  });

  it('still judge the stamp first (honeypot, too fast, forged), without spending it', async () => {
    const token = signFormTimestamp(secret, new Date(shown.getTime() + 9));
    expect(await spendFormSubmission(t.db, { honeypot: 'http://spam', token }, 'x@example.org', secret, later)).toBe(
      'honeypot',
    );
    expect(
      await spendFormSubmission(
        t.db,
        { honeypot: '', token: token.replace(/.$/, 'x') },
        'x@example.org',
        secret,
        later,
      ),
    ).toBe('bad_token');
    expect(await spendFormSubmission(t.db, { honeypot: '', token }, 'y@example.org', secret, later)).toBe('ok');
  });

  it('are forgotten once too old to be accepted anyway', async () => {
    const stored = async () =>
      Number(
        (
          await t.db
            .selectFrom('spent_form_stamp')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await stored();
    expect(before).toBeGreaterThan(0);
    expect(await pruneSpentFormStamps(t.db, new Date(shown.getTime() + 3600_000))).toBe(0);
    expect(await pruneSpentFormStamps(t.db, new Date(shown.getTime() + 25 * 3600_000))).toBe(before);
    expect(await stored()).toBe(0);
  });
});
