// Issue #12: MESSAGES_PER_RECIPIENT_PER_DAY (default 10) is one cap per person, whatever sends to
// them. Booking codes, pledge codes and a volunteer's confirmation to one mailbox written with
// +tags and in other cases reach the same cap, and so do an SMS phone's messages whether the number
// is typed +39… or nationally (the API and the forms store it in E.164, and the database takes no
// other SMS recipient): past the cap they are kept as 'dropped', never sent. PGlite by
// default, PostgreSQL with TEST_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { signUpVolunteer } from '#/features/volunteers/volunteers.ts';
import { volunteerSchema } from '#/features/volunteers/vocabulary.ts';
import { messagesPerRecipientPerDay } from '#/server/mail/outbox.ts';
import { parseBookingRequest } from '#/features/booking/booking-request.ts';
import { parsePledgeRequest } from '#/features/campaign/pledge-form.ts';
import { romeToInstant } from '#/lib/time.ts';

let t: TestDatabase;
let desks: Desk[];
let windows: number[];
// The counter's day is the real one (outbox.ts counts by today's date in Rome): holds are made now.
const now = new Date();

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  desks = [(await getDeskBySlug(t.db, 'quarto-oggiaro'))!, (await getDeskBySlug(t.db, 'gallaratese'))!];
  windows = (await t.db.selectFrom('collection_window').select('id').orderBy('starts_at').execute()).map((w) => w.id);
  // Only the messages' cap is under test: one person may book and pledge as often as needed here.
  process.env.BOOKINGS_PER_CONTACT_PER_DESK = '1000';
  process.env.BOOKINGS_PER_CONTACT = '1000';
});
afterAll(async () => {
  delete process.env.BOOKINGS_PER_CONTACT_PER_DESK;
  delete process.env.BOOKINGS_PER_CONTACT;
  await t.close();
});

// Free slots, far enough ahead to be open whatever today is, one after another.
let slot = 0;
async function nextSlot(): Promise<{ desk: Desk; start: Date }> {
  for (;;) {
    const n = slot++;
    const day = new Date(now.getTime() + (7 + Math.floor(n / 4)) * 86400000);
    const start = romeToInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 10 + (n % 4), 0);
    for (const desk of desks) {
      const outcome = await t.db
        .selectFrom('booking')
        .select('id')
        .where('desk_id', '=', desk.id)
        .where('starts_at', '=', start)
        .executeTakeFirst();
      if (!outcome) return { desk, start };
    }
  }
}

/** A booking's hold, its code to `contact` (an address, or a mobile by SMS); true when it held. */
async function bookingHold(contact: { email?: string; phone?: string }): Promise<boolean> {
  for (let tries = 0; tries < 200; tries++) {
    const { desk, start } = await nextSlot();
    const outcome = await createBooking(
      t.db,
      {
        desk,
        start,
        firstName: 'Mara',
        email: contact.email ?? null,
        phone: contact.phone ?? null,
        topic: null,
        note: null,
        locale: 'it',
        submissionKey: null,
        source: 'public',
      },
      now,
      { hold: { client: `client-${slot}` } },
    );
    if (outcome.ok) return true;
    // A slot the desk does not open: the next one.
    if (!['slot_unavailable', 'slot_full'].includes(outcome.reason)) throw new Error(outcome.reason);
  }
  throw new Error('no open slot');
}

/** A pledge's hold, its code to `contact`, in the window `w` (one open pledge per contact and window). */
async function pledgeHold(contact: { email?: string; phone?: string }, w: number): Promise<void> {
  const outcome = await createPledge(
    t.db,
    {
      campaignSlug: 'zaino-sospeso',
      lines: [{ item: 'zaino', quantity: 1 }],
      collectionWindowId: windows[w]!,
      firstName: 'Mara',
      email: contact.email ?? null,
      phone: contact.phone ?? null,
      locale: 'it',
      submissionKey: null,
    },
    now,
    { hold: { client: `pledger-${w}-${contact.email ?? contact.phone}` } },
  );
  if (!outcome.ok) throw new Error(outcome.reason);
}

/** What was queued to a person, by the counted form of their contact, oldest first. */
async function queuedTo(match: (recipient: string) => boolean) {
  const rows = await t.db.selectFrom('outbox').select(['id', 'kind', 'recipient', 'status']).orderBy('id').execute();
  return rows.filter((r) => match(r.recipient));
}

describe(`one daily message cap per person, across kinds (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('booking codes, pledge codes and a volunteer email to one mailbox (+tags, any case) share the cap', async () => {
    expect(messagesPerRecipientPerDay()).toBe(10);
    expect(windows.length).toBeGreaterThanOrEqual(5);
    const aliases = [
      'mara@example.org',
      'Mara+scuola@Example.org',
      'MARA+zaino@EXAMPLE.ORG',
      'mara+volontaria@example.org',
      'Mara+2@example.org',
      'mara+3@Example.ORG',
    ];
    // Mixed, in turn: 5 booking codes, 4 pledge codes (one per window), 1 volunteer confirmation = 10 …
    await bookingHold({ email: aliases[0] });
    await pledgeHold({ email: aliases[1] }, 0);
    await signUpVolunteer(
      t.db,
      volunteerSchema.parse({
        name: 'Mara',
        email: aliases[3],
        phone: '',
        municipi: ['8'],
        skills: ['homework'],
        languages: ['ar'],
        availability: ['tue-afternoon'],
        note: '',
        locale: 'it',
        consent: true,
      }),
      now,
    );
    await bookingHold({ email: aliases[2] });
    await pledgeHold({ email: aliases[4] }, 1);
    await bookingHold({ email: aliases[5] });
    await pledgeHold({ email: aliases[0] }, 2);
    await bookingHold({ email: aliases[1] });
    await pledgeHold({ email: aliases[2] }, 3);
    await bookingHold({ email: aliases[4] });
    const mailbox = (r: string) => /^mara(\+[^@]*)?@example\.org$/i.test(r);
    const first = await queuedTo(mailbox);
    expect(first).toHaveLength(10);
    expect(first.every((r) => r.status === 'pending')).toBe(true);
    expect(new Set(first.map((r) => r.kind))).toEqual(new Set(['verification_code', 'volunteer_confirm_address']));
    // … then two more, of two kinds and two other spellings: kept as dropped, never sent.
    await bookingHold({ email: aliases[5] });
    await pledgeHold({ email: 'MARA+ancora@example.org' }, 4);
    const all = await queuedTo(mailbox);
    expect(all.map((r) => r.status)).toEqual([...Array(10).fill('pending'), 'dropped', 'dropped']);
    // Another mailbox is not affected.
    await bookingHold({ email: 'marta@example.org' });
    expect((await queuedTo((r) => r === 'marta@example.org')).map((r) => r.status)).toEqual(['pending']);
  });

  it('an SMS phone written +39… and nationally is one recipient', async () => {
    // The number as people type it, read as the API reads a booking and a pledge (the forms read
    // it the same way): every spelling is stored, and its SMS addressed, as one E.164 number.
    const spellings = ['+39 333 765 4321', '333 765 4321', '0039 333-765-4321', '3337654321'];
    const asBooked = (typed: string) => {
      const parsed = parseBookingRequest({
        desk: 'quarto-oggiaro',
        start: new Date(now.getTime() + 7 * 86400000).toISOString(),
        name: 'Mara',
        phone: typed,
        locale: 'it',
        privacyAccepted: true,
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
      return parsed.value.details.phone!;
    };
    const asPledged = (typed: string) => {
      const parsed = parsePledgeRequest({
        campaign: 'zaino-sospeso',
        items: [{ item: 'zaino', quantity: 1 }],
        dropOffPoint: 'gallaratese',
        collectionWindow: windows[0],
        name: 'Mara',
        phone: typed,
        locale: 'it',
        privacyAccepted: true,
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
      return parsed.value.contact.phone!;
    };
    // 8 booking codes and 4 pledge codes, the number written in turn in each way.
    for (let i = 0; i < 8; i++) expect(await bookingHold({ phone: asBooked(spellings[i % 4]!) })).toBe(true);
    for (let w = 0; w < 4; w++) await pledgeHold({ phone: asPledged(spellings[(w + 1) % 4]!) }, w);
    const rows = await t.db
      .selectFrom('outbox')
      .select(['channel', 'recipient', 'status'])
      .where('recipient', 'in', ['+393337654321', ...spellings])
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => `${r.channel} ${r.recipient}`))).toEqual(new Set(['sms +393337654321']));
    expect(rows.map((r) => r.status)).toEqual([...Array(10).fill('pending'), 'dropped', 'dropped']);
  });
});
