// The audit log's page over plain HTTP, as an admin's browser without JavaScript uses it: its GET
// filters (who, what, from and to a day) are the staff lists' shared filter form; a day typed in a
// shape the page cannot read is said inside the form and filters nothing (never a 404 or a 500),
// and the page keeps what was typed; "older" and "newer" are links that keep the filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { decodeEntities } from '../support/html-form.ts';
import it_ from '#/locales/it.json' with { type: 'json' };

let server: RunningServer;
const token = generateSessionToken();
// More than a page (50 rows) of one group, so that the pager shows with a filter set.
const DESK_ROWS = 55;

beforeAll(async () => {
  server = await startServer(
    {},
    {
      async prepare(db) {
        const id = await createUser(db, { email: 'admin@comune.example', displayName: 'Admin', role: 'admin' });
        // Admins must have a second factor; this session has passed it.
        await db
          .updateTable('app_user')
          .set({ totp_secret: 'x', totp_enabled_at: new Date() })
          .where('id', '=', id)
          .execute();
        await createSession(db, token, id, { twoFactorVerified: true });
        for (let i = 0; i < DESK_ROWS; i++)
          await writeAudit(db, { actorUserId: id, action: 'desk.settings_changed', subject: `sportello ${i}` });
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

async function get(path: string) {
  const res = await fetch(server.origin + path, { headers: { Cookie: `qubi_session=${token}` }, redirect: 'manual' });
  return { status: res.status, html: decodeEntities(await res.text()) };
}
/** The filter form's markup. */
const filterForm = (html: string) => /<form method="get"[^>]*class="filter"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
const links = (html: string) => ({
  newer: /<a href="([^"]+)" rel="prev"/.exec(html)?.[1],
  older: /<a href="([^"]+)" rel="next"/.exec(html)?.[1],
});

describe('the audit log’s filters', () => {
  it('says a day it cannot read inside the form, filters nothing and keeps what was typed', async () => {
    const all = await get('/it/staff/audit');
    expect(all.status).toBe(200);
    const page = await get('/it/staff/audit?dal=ieri');
    expect(page.status).toBe(200);
    const form = filterForm(page.html);
    expect(form).toContain(`<p class="note" role="status"`);
    expect(form).toContain(it_['partners.audit.badDate']);
    expect(form).toMatch(/<input type="date" id="dal" name="dal" value="ieri" dir="ltr"/);
    expect(form).toContain(`<label for="al"`);
    // Nothing filtered: the same rows as without filters, and no "matching" count nor "clear".
    expect(/<p class="lead"[^>]*>([^<]+)/.exec(page.html)?.[1]).toBe(
      /<p class="lead"[^>]*>([^<]+)/.exec(all.html)?.[1],
    );
    expect(page.html).not.toContain(it_['partners.audit.matching'].split('{{')[0]!);
    expect(form).not.toContain(it_['partners.audit.clear']);
    expect(filterForm(all.html)).not.toContain(it_['partners.audit.badDate']);
  });

  it('filters by what, keeps the choice, offers to clear, and its pages keep the filter', async () => {
    const one = await get('/it/staff/audit?cosa=desk');
    expect(one.status).toBe(200);
    const form = filterForm(one.html);
    expect(form).toMatch(/<option value="desk" selected>/);
    expect(form).toMatch(new RegExp(`<a href="/it/staff/audit"[^>]*>${it_['partners.audit.clear']}</a>`));
    expect(one.html).toContain(`${it_['partners.audit.matching'].split('{{')[0]}${DESK_ROWS}`);
    expect(one.html).toContain(it_['staff.audit.pageOf'].replace('{{page}}', '1').replace('{{pages}}', '2'));
    expect(links(one.html)).toEqual({ newer: undefined, older: '/it/staff/audit?cosa=desk&pagina=2' });
    const two = await get('/it/staff/audit?cosa=desk&pagina=2');
    expect(two.status).toBe(200);
    expect(two.html.match(/<td class="nowrap"/g)?.length).toBe(DESK_ROWS - 50);
    expect(links(two.html)).toEqual({ newer: '/it/staff/audit?cosa=desk', older: undefined });
  });
});
