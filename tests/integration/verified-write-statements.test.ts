// The verified writes' statements (issues #12 and #13: a booking and an event sign-up with their
// code at ≥ 50 % of the bare transactions): every statement is a round trip to PostgreSQL and a
// socket write, so the write paths are folded, and these counts keep them so. Counted by a Kysely
// plugin (BEGIN and COMMIT are not statements here); what each statement must still write is
// checked beside its count, on the embedded database and PostgreSQL alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { confirmRegistration } from '#/features/events/registration-holds.ts';
import { readSignUpEvent } from '#/features/events/sign-up-event.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { createBooking } from '#/features/booking/create-booking.ts';
import { confirmHold } from '#/features/booking/holds.ts';
import { romeToInstant } from '#/lib/time.ts';
import type { Db } from '#/server/db/database.ts';
import { getServerSecret } from '#/server/security/secret.ts';

/**
 * Counts the statements run through the Kysely it is added to: by their results, as a query builder
 * nested in a raw statement (a subquery, a CTE) passes transformQuery too, but runs no statement.
 */
class StatementCount implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return Promise.resolve(args.result);
  }
}

let t: TestDatabase;
const now = new Date();
const later = (minutes: number) => new Date(now.getTime() + minutes * 60000);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  // Read once per process (secret.ts): read here, so that no count below includes its first read.
  await getServerSecret(t.db);
});
afterAll(() => t.close());

/** The statements `run` makes through a counting handle on the test database. */
async function counting<T>(run: (db: Db) => Promise<T>): Promise<{ result: T; statements: number }> {
  const counter = new StatementCount();
  const result = await run(t.db.withPlugin(counter) as Db);
  return { result, statements: counter.count };
}

const outboxOf = (column: 'registration_id' | 'booking_id', id: number) =>
  t.db.selectFrom('outbox').select(['kind', 'channel', 'status']).where(column, '=', id).orderBy('id').execute();
const codeRowOf = (column: 'registration_id' | 'booking_id', id: number) =>
  t.db.selectFrom('verification_code').select('attempts').where(column, '=', id).executeTakeFirst();

describe('an event sign-up with its code', () => {
  it('holds the seats in 4 statements and confirms by reference in 2, writing all it wrote before', async () => {
    const event = await insertPartyEvent(t.db, { slug: 'festa-conta', startsAt: later(10 * 24 * 60), seats: 10 });
    const read = await readSignUpEvent(t.db, 'festa-conta');
    if (!read) throw new Error('no event');
    const phone = '+393331112233';
    const party = {
      adults: 2,
      children: { '0-3': 0, '3-6': 1, '6-11': 0, '11-14': 0 },
      name: 'Famiglia Conti',
      phone,
      email: null,
      locale: 'it' as const,
    };

    // The locks with the id drawn, the limits' counts, the row with its code and message, the seats.
    const held = await counting((db) => registerParty(db, event.id, party, { client: 'conta', event: read }));
    expect(held.statements).toBe(4);
    if (!held.result.ok) throw new Error('not held');
    const { id, reference } = held.result.registration;
    expect(await codeRowOf('registration_id', id)).toEqual({ attempts: 0 });
    expect(await outboxOf('registration_id', id)).toEqual([
      { kind: 'verification_code', channel: 'sms', status: 'pending' },
    ]);
    const seats = await t.db.selectFrom('event').select('seats_taken').where('id', '=', event.id).executeTakeFirst();
    expect(seats).toEqual({ seats_taken: 3 });

    const code = await latestCodeFromOutbox(t.db, phone);
    // Another event's slug finds nothing, and counts no try.
    const elsewhere = await confirmRegistration(t.db, { reference, eventSlug: 'altra-festa' }, code);
    expect(elsewhere).toEqual({ ok: false, reason: 'gone' });
    expect(await codeRowOf('registration_id', id)).toEqual({ attempts: 0 });

    // The locked read with the try counted; the confirmation with the code spent, its message
    // dropped and the confirmation and reminder queued.
    const confirmed = await counting((db) =>
      confirmRegistration(db, { reference, eventSlug: 'festa-conta' }, code, { now: later(1) }),
    );
    expect(confirmed.statements).toBe(2);
    expect(confirmed.result).toMatchObject({
      ok: true,
      id,
      alreadyConfirmed: false,
      registration: { reference, eventSlug: 'festa-conta', seats: 3 },
    });
    expect(await codeRowOf('registration_id', id)).toBeUndefined();
    expect(await outboxOf('registration_id', id)).toEqual([
      { kind: 'event_registration_confirmation', channel: 'sms', status: 'pending' },
      { kind: 'event_registration_reminder', channel: 'sms', status: 'pending' },
    ]);
    const row = await t.db
      .selectFrom('event_registration')
      .select(['status', 'hold_expires_at', 'hold_client'])
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row).toEqual({ status: 'confirmed', hold_expires_at: null, hold_client: null });
  });
});

describe("a booking's confirmation by its code", () => {
  it('confirms in 2 statements, the SMS confirmation and reminder queued by the confirming one', async () => {
    const desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!; // Tuesdays 10:00–13:00
    // The booking's own clock, as booking-holds.test.ts's: a Tuesday two weeks ahead.
    const at = new Date('2026-12-01T09:00:00Z');
    const start = romeToInstant(2026, 12, 15, 10, 0);
    const phone = '+393334445566';
    const made = await createBooking(
      t.db,
      {
        desk,
        start,
        firstName: 'Amina',
        email: null,
        phone,
        topic: null,
        note: null,
        locale: 'it',
        submissionKey: null,
        source: 'api',
      },
      at,
      { hold: { client: 'conta-prenotazione' } },
    );
    if (!made.ok) throw new Error(`not held: ${made.reason}`);
    const code = await latestCodeFromOutbox(t.db, phone);

    const confirmed = await counting((db) =>
      confirmHold(db, { reference: made.booking.reference }, code, { now: new Date(at.getTime() + 60000) }),
    );
    expect(confirmed.statements).toBe(2);
    expect(confirmed.result).toMatchObject({ ok: true, alreadyConfirmed: false });
    expect(await codeRowOf('booking_id', made.booking.id)).toBeUndefined();
    expect(await outboxOf('booking_id', made.booking.id)).toEqual([
      { kind: 'booking_confirmation', channel: 'sms', status: 'pending' },
      { kind: 'booking_reminder', channel: 'sms', status: 'pending' },
    ]);
  });
});
