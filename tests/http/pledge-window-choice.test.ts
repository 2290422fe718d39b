// Issue #15 over HTTP against the built server: a donor whose collection window was cancelled by
// the coordinators opens their manage link, is told so, and chooses another window (POST → 303 →
// GET); a cancelled window is refused with a message in their language and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { draftCookie, pageRequests } from '../support/page-requests.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';

let server: RunningServer;
let token = '';
let cancelled = 0;
let other = 0;

beforeAll(async () => {
  server = await startServer(
    { RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000', RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '10000' },
    {
      async prepare(db) {
        const windows = await db
          .selectFrom('collection_window')
          .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
          .select('collection_window.id')
          .where('drop_off_point.slug', '=', 'quarto-oggiaro')
          .orderBy('collection_window.starts_at')
          .limit(2)
          .execute();
        [cancelled, other] = windows.map((w) => w.id) as [number, number];
        const made = await createPledge(db, {
          campaignSlug: 'zaino-sospeso',
          lines: [{ item: 'diario', quantity: 1 }],
          collectionWindowId: cancelled,
          firstName: 'Sara',
          email: 'sara@example.org',
          phone: null,
          locale: 'es',
          submissionKey: null,
        });
        if (!made.ok || !made.manageToken) throw new Error('no pledge');
        token = made.manageToken;
        // As a coordinator's cancel leaves it (collection-windows.ts).
        await db
          .updateTable('collection_window')
          .set({ cancelled_at: new Date() })
          .where('id', '=', cancelled)
          .execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const page = `/es/zaino-sospeso/gestisci?token=`;
const send = pageRequests(() => server);
const draft = draftCookie;
const optionValues = (html: string) =>
  [...(/<select id="window"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '').matchAll(/value="(\d+)"/g)].map((m) =>
    Number(m[1]),
  );

describe('choosing another collection day from the manage link', () => {
  it('says the day was cancelled and offers the open days only', async () => {
    const shown = await send(page + token);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('El día que elegiste se ha cancelado');
    expect(optionValues(shown.html)).toContain(other);
    expect(optionValues(shown.html)).not.toContain(cancelled);
  });

  it('refuses the cancelled day with a message, and moves the pledge to an open one', async () => {
    const action = `${page}${token}&_action=campaign.choosePledgeWindow`;
    const refused = await send(action, { fields: [['window', String(cancelled)]] });
    expect(refused.status).toBe(303);
    const back = await send(refused.headers.get('location')!, { cookie: draft(refused.headers) });
    expect(back.status).toBe(422);
    expect(back.html).toContain('href="#window"');
    expect(back.html).toContain('Este día ya no está disponible');
    const moved = await send(action, { fields: [['window', String(other)]] });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe(`${page}${token}&esito=giorno`);
    const after = await send(moved.headers.get('location')!);
    expect(after.html).toContain('Hecho: el día de entrega ha cambiado.');
    // The pledge's own window is no longer among the choices, the cancelled one neither; no notice any more.
    expect(optionValues(after.html)).not.toContain(other);
    expect(after.html).not.toContain('El día que elegiste se ha cancelado');
  });
});
