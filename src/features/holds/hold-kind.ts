// One engine for every hold (issue #11): a row taken at once as 'pending' — a booking's place, a
// pledge's quantities, an event sign-up's seats, a waiting-list join — that its contact's code
// confirms within its time, or that lapses. Each feature names its kind here (its table, what its
// states are called, how long it waits, what a lapse erases); src/features/holds serves them all:
// the lapse statement (lapse.ts), the client's cap and the browser's give-back (client-holds.ts),
// the confirm gate and the confirming statement (held-code-check.ts, confirm-hold.ts), "send again"
// (resend-hold-code.ts) and the code step's view (held-view.ts).
import type { RawBuilder } from 'kysely';
import { subjectOf, type CheckOutcome } from '#/features/verification/codes.ts';
import { heldLapsed, type HeldStates } from './held-code-check.ts';

/** The tables whose rows a code holds. */
export type HeldTable = 'booking' | 'pledge' | 'event_registration' | 'wait_entry';

/** The code subject that names a held row (codes.ts CodeSubject, without the volunteers'). */
export type HeldSubject =
  { bookingId: number } | { pledgeId: number } | { registrationId: number } | { waitEntryId: number };

export interface HoldKind<Subject extends HeldSubject = HeldSubject> {
  table: HeldTable;
  /** What "confirmed" and "lapsed" are called in its table. */
  states: HeldStates;
  /** The code subject (and so the verification_code and outbox column) of one of its rows. */
  subject: (id: number) => Subject;
  /** How long a new hold waits for its code (the code message says it). */
  minutes: () => number;
  /** What a lapse sets besides the status: the personal data and keys it drops (SQL SET items). */
  erase: (now: Date) => RawBuilder<unknown>;
}

/** The verification_code and outbox column that points at a row of the kind's table. */
export const codeColumnOf = (kind: HoldKind) => subjectOf(kind.subject(0)).column;

/** A lapsed hold, even one that housekeeping has not released yet. */
export function holdLapsed(kind: HoldKind, hold: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return heldLapsed(hold, kind.states.lapsed, now);
}

/** What a confirmation by code answers: the feature's own success, or why the code was refused. */
export type ConfirmOutcome<Confirmed> =
  Confirmed | Exclude<CheckOutcome, { ok: true }> | { ok: false; reason: 'not_pending' };
