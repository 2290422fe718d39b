// The staff home warns when a desk's places go unusually fast: more than a third of a week's places
// taken (bookings and live holds) in the last hour (src/features/agenda/places-going-fast.ts).
// Quarto Oggiaro offers 6 places a week (Tuesdays 10:00–13:00, 30 minutes, 1 place): 2 holds in an
// hour are ordinary, 3 are not. The holds are taken through the public API, as anyone could, and
// the warning is seen by the staff whose agenda has that desk only; their agenda lists the holds
// as waiting for their code. PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { get, request, signIn, startStaffServer, useServer, type StaffServer } from '../support/staff-http.ts';

let staff: StaffServer;
beforeAll(async () => {
  staff = await startStaffServer();
  useServer(staff.server);
});
afterAll(async () => {
  await staff?.stop();
});

interface ApiSlot {
  start: string;
  remaining: number;
}

async function freeSlots(desk: string): Promise<ApiSlot[]> {
  const today = romeDateString(new Date());
  const res = await get(`/api/v1/desks/${desk}/slots?from=${today}&to=${addDays(today, 55)}`);
  expect(res.status).toBe(200);
  return (JSON.parse(res.html) as ApiSlot[]).filter((s) => s.remaining > 0);
}

/** A pending hold through the JSON API (its code is never entered: it stays live for 15 minutes). */
async function holdThroughApi(desk: string, slot: ApiSlot, phone: string) {
  const res = await request('/api/v1/bookings', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ desk, start: slot.start, name: 'Prova', phone, locale: 'it', privacyAccepted: true }),
  });
  expect(res.status, res.html).toBe(201);
  expect(JSON.parse(res.html)).toMatchObject({ status: 'pending' });
}

let slots: ApiSlot[] = [];
const WARNING = 'I posti di questi sportelli si stanno esaurendo più in fretta del solito.';

describe('staff home: places going unusually fast', () => {
  it('is absent for 2 places in an hour, names the desk with a link to its agenda from 3, for its staff only', async () => {
    const operator = (await signIn(staff.accounts.desk_operator)).cookie;
    expect((await get('/it/staff', operator)).html).not.toContain(WARNING);

    slots = await freeSlots('quarto-oggiaro');
    await holdThroughApi('quarto-oggiaro', slots[0]!, '+393471000001');
    await holdThroughApi('quarto-oggiaro', slots[1]!, '+393471000002');
    expect((await get('/it/staff', operator)).html).not.toContain(WARNING);

    await holdThroughApi('quarto-oggiaro', slots[2]!, '+393471000003');
    const warned = await get('/it/staff', operator);
    expect(warned.html).toContain(WARNING);
    expect(warned.html).toMatch(
      /<a href="\/it\/staff\/agenda\/quarto-oggiaro"[^>]*>Spazio QuBì Quarto Oggiaro<\/a>: 3 posti presi nell’ultima ora, su 6 a settimana\./,
    );
    const english = await get('/en/staff', operator);
    expect(english.html).toContain('3 places taken in the last hour, out of 6 a week.');

    // The coordinator of Municipio 8 sees it too; a partner editor, who has no agenda, does not.
    const coordinator = (await signIn(staff.accounts.coordinator)).cookie;
    expect((await get('/it/staff', coordinator)).html).toContain(WARNING);
    const partner = (await signIn(staff.accounts.partner_editor)).cookie;
    expect((await get('/it/staff', partner)).html).not.toContain(WARNING);
  });
});

describe('the agenda with those holds', () => {
  it('lists each as waiting for its code, booked through the API, in Italian, and counts none as booked', async () => {
    const operator = (await signIn(staff.accounts.desk_operator)).cookie;
    const day = romeDateString(new Date(slots[0]!.start));
    const page = await get(`/it/staff/agenda/quarto-oggiaro?giorno=${day}&vista=giorno`, operator);
    expect(page.status).toBe(200);
    const rows = [...page.html.matchAll(/<tr\b[^>]*class="status-pending"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    const held = slots.slice(0, 3).filter((s) => romeDateString(new Date(s.start)) === day).length;
    expect(rows).toHaveLength(held);
    for (const row of rows) {
      expect(row).toContain('In attesa del codice');
      expect(row).toContain('tramite API');
      expect(row).toContain('italiano');
      // Nothing to mark or cancel yet.
      expect(row).not.toContain('<form');
    }
    expect(page.html).toContain(`0 prenotazioni · ${held} in attesa del codice`);
  });
});
