// Staff sign-in with the server's PostgreSQL schema at hand: a disabled user's stolen cookie is
// refused even if a session row were left behind, and an invitation link sets a password.
// *.pg.test.ts files run only in the PostgreSQL suite (npm run test:pg).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startStaffServer,
  useServer,
  get,
  post,
  submit,
  signIn,
  location,
  sessionCookieOf,
  type StaffServer,
} from '../support/staff-http.ts';
import { inviteUser } from '#/features/staff-accounts/invitations.ts';
import { disableUser } from '#/features/staff-accounts/users.ts';

let s: StaffServer;
beforeAll(async () => {
  s = await startStaffServer();
  useServer(s.server);
});
afterAll(async () => {
  await s?.stop();
});

describe('on PostgreSQL, with the database at hand', () => {
  it('refuses the stolen session cookie of a disabled user', async () => {
    const { cookie } = await signIn(s.accounts.coordinator);
    expect((await get('/it/staff', cookie)).status).toBe(200);
    const [id, secret] = cookie.split('=')[1]!.split('.') as [string, string];
    const user = await s
      .db!.selectFrom('user_session')
      .select('user_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await disableUser(s.db!, user.user_id);
    expect((await get('/it/staff', cookie)).status).toBe(303);
    // Even a session row left behind (as if disabling had missed it) is refused.
    const now = new Date();
    await s
      .db!.insertInto('user_session')
      .values({
        id,
        secret_hash: createHash('sha256').update(secret).digest('hex'),
        user_id: user.user_id,
        created_at: now,
        last_used_at: now,
        two_factor_verified: true,
      })
      .execute();
    const res = await get('/it/staff', cookie);
    expect(res.status).toBe(303);
    expect(location(res)).toMatch(/^\/it\/staff\/accesso/);
    // And the password no longer signs in.
    expect(
      (
        await submit('/it/staff/accesso', {
          email: s.accounts.coordinator.email,
          password: s.accounts.coordinator.password,
        })
      ).status,
    ).toBe(422);
  });

  it('lets an invited person set a password and signs them in', async () => {
    const admin = await s.db!.selectFrom('app_user').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow();
    const invited = await inviteUser(
      s.db!,
      { id: admin.id, role: 'admin', organisationId: null, municipi: [], desks: [] },
      { email: 'invited@comune.example', displayName: 'Invitata', role: 'coordinator', municipi: [3], locale: 'it' },
    );
    expect(invited.ok).toBe(true);
    const row = await s
      .db!.selectFrom('outbox')
      .select('payload')
      .where('kind', '=', 'staff_invitation')
      .where('recipient', '=', 'invited@comune.example')
      .executeTakeFirstOrThrow();
    const token = row.payload.token as string;
    const form = await get(`/it/staff/invito?token=${token}`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('Ciao Invitata');
    // The form posts to the link's own address with its Astro Action (read from the page).
    const acceptAt = /action="([^"]*[?&]_action=staffAccounts\.acceptInvitation)"/.exec(form.html)?.[1];
    expect(acceptAt).toBe(`/it/staff/invito?token=${token}&_action=staffAccounts.acceptInvitation`);
    const done = await post(acceptAt!, { password: 'benvenuta nella rete tre' });
    expect(done.status).toBe(303);
    expect(location(done)).toBe('/it/staff');
    const home = await get('/it/staff', sessionCookieOf(done)!.pair);
    expect(home.status).toBe(200);
    expect(home.html).toContain('Municipio 3');
    expect((await get(`/it/staff/invito?token=${token}`)).status).toBe(400);
  });
});
