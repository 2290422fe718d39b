// The booking and pledge APIs read desks and campaigns from a per-process copy
// (src/features/booking/desk-cache.ts, src/features/campaign/pledge-setup-cache.ts). A staff change must be seen by the very next write: hours,
// closures, extra openings and capacity through the desk's invalidation; a new campaign item
// through the reload on an unknown name. Quantities stay the database's: a cached campaign never
// lets a pledge exceed what is needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  post as postForm,
  signIn,
  startStaffServer,
  useServer,
  type Role,
  type StaffServer,
} from '../support/staff-http.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';

let staff: StaffServer;
const cookies: Partial<Record<Role, string>> = {};
let server: StaffServer['server'];

beforeAll(async () => {
  staff = await startStaffServer({
    RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000',
    RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '10000',
    // About what an item still needs: one pledge may take all of it (the share is tested apart).
    PLEDGE_MAX_SHARE: '100',
    MESSAGES_PER_RECIPIENT_PER_DAY: '1000',
    HOLDS_PER_CLIENT: '1000000',
    BOOKINGS_PER_CONTACT_PER_DESK: '1000000',
    BOOKINGS_PER_CONTACT: '1000000',
  });
  server = staff.server;
  useServer(server);
});
afterAll(async () => {
  await staff?.stop();
});

const post = (path: string, fields: Record<string, string>, cookie: string) => postForm(path, fields, { cookie });
const postJson = (path: string, body: unknown) =>
  fetch(server.origin + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

async function as(role: Role): Promise<string> {
  cookies[role] ??= (await signIn(staff.accounts[role])).cookie;
  return cookies[role]!;
}

interface ApiSlot {
  start: string;
  capacity: number;
  remaining: number;
}
const DESK = 'quarto-oggiaro'; // Tuesdays 10:00–13:00 in the seed; the demo desk operator's desk
const settings = `/it/staff/agenda/${DESK}/impostazioni`;
const today = () => romeDateString(new Date());

async function freeSlots(): Promise<ApiSlot[]> {
  const res = await fetch(`${server.origin}/api/v1/desks/${DESK}/slots?from=${today()}&to=${addDays(today(), 55)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as ApiSlot[]).filter((s) => s.remaining > 0);
}
let phones = 0;
const book = (start: string) =>
  postJson('/api/v1/bookings', {
    desk: DESK,
    start,
    name: 'Amina',
    phone: `+39333${String(3000000 + phones++).slice(-7)}`,
    locale: 'it',
    privacyAccepted: true,
  });
const weekday = (iso: string) => new Date(`${iso.slice(0, 10)}T12:00:00Z`).getUTCDay();

describe('desk copy of the booking API', () => {
  it('sees a staff change of hours, capacity, closures and extra openings at the next booking', async () => {
    const cookie = await as('desk_operator');
    const tuesdays = await freeSlots();
    expect(tuesdays.length).toBeGreaterThan(3);
    // The first booking loads the desk into the copy.
    expect((await book(tuesdays[0]!.start)).status).toBe(201);
    expect((await book(tuesdays[0]!.start)).status).toBe(409);

    // Hours: Tuesdays → Thursdays 15:00–17:00 (the form replaces the whole week).
    const hours = await post(
      `${settings}?_action=agenda.saveHours`,
      { intent: 'hours', 'opens-4-0': '15:00', 'closes-4-0': '17:00' },
      cookie,
    );
    expect(hours.status).toBe(303);
    const gone = await book(tuesdays[1]!.start);
    expect(gone.status).toBe(409);
    expect(await gone.json()).toMatchObject({ error: 'slot_unavailable' });
    const thursdays = await freeSlots();
    expect(new Set(thursdays.map((s) => weekday(s.start)))).toEqual(new Set([4]));
    expect(new Set(thursdays.map((s) => s.start.slice(11, 16)))).toEqual(new Set(['15:00', '15:30', '16:00', '16:30']));

    // Capacity 1 → 2: a slot never booked takes two bookings, then no more.
    const capacity = await post(
      `${settings}?_action=agenda.saveSettings`,
      { intent: 'settings', slotMinutes: '30', capacityPerSlot: '2', minNoticeMinutes: '120', maxDaysAhead: '56' },
      cookie,
    );
    expect(capacity.status).toBe(303);
    const twice = thursdays[0]!.start;
    expect([(await book(twice)).status, (await book(twice)).status, (await book(twice)).status]).toEqual([
      201, 201, 409,
    ]);

    // A closure on a Thursday with free slots: no booking that day, at once.
    const day = thursdays.map((s) => s.start.slice(0, 10)).find((d) => d > thursdays[0]!.start.slice(0, 10))!;
    const closed = await post(
      `${settings}?_action=agenda.addClosure`,
      { intent: 'addClosure', closureDay: day, closureReason: '' },
      cookie,
    );
    expect(closed.status).toBe(303);
    const onClosedDay = await book(thursdays.find((s) => s.start.startsWith(day))!.start);
    expect(onClosedDay.status).toBe(409);
    expect(await onClosedDay.json()).toMatchObject({ error: 'slot_unavailable' });

    // An extra opening on a Monday: bookable at once.
    let monday = addDays(today(), 7);
    while (weekday(monday) !== 1) monday = addDays(monday, 1);
    const extra = await post(
      `${settings}?_action=agenda.addExtraOpening`,
      { intent: 'addExtra', extraDay: monday, extraOpens: '09:00', extraCloses: '10:00' },
      cookie,
    );
    expect(extra.status).toBe(303);
    const mondaySlot = (await freeSlots()).find((s) => s.start.startsWith(monday));
    expect(mondaySlot?.start.slice(11, 16)).toBe('09:00');
    expect((await book(mondaySlot!.start)).status).toBe(201);
  });
});

interface CampaignJson {
  items: { slug: string; remaining: number }[];
  collectionWindows: { id: number; dropOffPoint: string }[];
}

describe('campaign copy of the pledge API', () => {
  it('accepts an item staff just added, and never more than it needs', async () => {
    const campaign = (await (await fetch(`${server.origin}/api/v1/campaigns/zaino-sospeso`)).json()) as CampaignJson;
    const w = campaign.collectionWindows[0]!;
    const pledge = (item: string, quantity: number) =>
      postJson('/api/v1/pledges', {
        campaign: 'zaino-sospeso',
        items: [{ item, quantity }],
        dropOffPoint: w.dropOffPoint,
        collectionWindow: w.id,
        name: 'Amina',
        phone: `+39333${String(4000000 + phones++).slice(-7)}`,
        locale: 'it',
        privacyAccepted: true,
      });
    // The first pledge loads the campaign into the copy.
    expect((await pledge(campaign.items[0]!.slug, 1)).status).toBe(201);

    const cookie = await as('coordinator');
    const added = await post(
      // The items page's "add" form posts to its Astro Action (src/features/campaign/actions.ts).
      '/it/staff/raccolta/articoli?_action=campaign.addItem',
      { intent: 'add', nameIt: 'Righello di prova', nameEn: '', target: '3' },
      cookie,
    );
    expect(added.status).toBe(303);
    const first = await pledge('righello-di-prova', 2);
    expect(first.status).toBe(201);
    const over = await pledge('righello-di-prova', 2);
    expect(over.status).toBe(409);
    expect(await over.json()).toEqual({ error: 'exceeds_remaining', remaining: { 'righello-di-prova': 1 } });
    expect((await pledge('righello-di-prova', 1)).status).toBe(201);
    expect((await pledge('no-such-item', 1)).status).toBe(422);
  });
});
