// The staff home warns when today's SMS segments reach 80 % of SMS_DAILY_LIMIT (past it, text
// messages wait for the next day: src/server/sms/daily-limit.ts). PostgreSQL only: the test writes
// the day's count into the server's database, which on PGlite only the server process can open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { romeDateString } from '#/lib/time.ts';
import { get, signIn, startStaffServer, useServer, type StaffServer } from '../support/staff-http.ts';

let staff: StaffServer;
beforeAll(async () => {
  staff = await startStaffServer({ SMS_DAILY_LIMIT: '100' });
  useServer(staff.server);
});
afterAll(async () => {
  await staff?.stop();
});

const setUsedToday = (segments: number) =>
  staff
    .db!.insertInto('sms_day')
    .values({ day: romeDateString(new Date()), segments })
    .onConflict((oc) => oc.column('day').doUpdateSet({ segments }))
    .execute();

describe('staff home SMS warning', () => {
  it('is absent below 80 %, says how many are left from 80 %, and that messages wait at the limit', async () => {
    const { cookie } = await signIn(staff.accounts.desk_operator);
    await setUsedToday(79);
    expect((await get('/it/staff', cookie)).html).not.toMatch(/SMS di oggi|Limite giornaliero degli SMS/);
    await setUsedToday(80);
    const near = await get('/it/staff', cookie);
    expect(near.html).toContain('SMS di oggi: 80 segmenti su 100.');
    await setUsedToday(100);
    const reached = await get('/en/staff', cookie);
    expect(reached.html).toContain('Daily text message limit reached (100 of 100 segments)');
  });
});
