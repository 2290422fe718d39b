// What the GDPR desk page shows, read from its draft and its address: the key searched and the
// problems found (kept by ./actions.ts), and the counts of an erasure just done (?fatto=erased…).
import type { KeptFormInput } from '#/server/forms/form-page.ts';
import type { Db } from '#/server/db/database.ts';
import { GDPR_CONFIRM, GDPR_RESULTS } from './actions.ts';
import { findPersonalData, isKeyProblem, type KeyProblem, type PersonalDataMatches } from './personal-data-search.ts';

const KEY_PROBLEMS: Record<KeyProblem, true> = { empty: true, email: true, phone: true };

/** The email and phone kept in the draft ('' when none), and the problems found with them. */
export function keptKey(kept: KeptFormInput | undefined): { email: string; phone: string; problems: KeyProblem[] } {
  const field = (name: string) => {
    const v = kept?.form.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const problems = [...(kept?.errors.keys() ?? [])].filter((k): k is KeyProblem => k in KEY_PROBLEMS);
  return { email: field('email'), phone: field('phone'), problems };
}

/** The counts an erasure answered with (in the address: numbers only), or undefined. */
export function erasedCounts(url: URL) {
  if (url.searchParams.get('fatto') !== 'erased') return undefined;
  const n = (k: string) => {
    const v = url.searchParams.get(k) ?? '';
    return /^[0-9]{1,7}$/.test(v) ? Number(v) : 0;
  };
  return {
    bookings: n('b'),
    pledges: n('p'),
    volunteers: n('v'),
    registrations: n('r'),
    waitEntries: n('w'),
    messages: n('o'),
    users: n('u'),
  };
}

/** The message key of a booking's status as the desk lists it. */
export const bookingStatusKey = (status: string) =>
  `staff.gdpr.booking.${status === 'confirmed' || status === 'cancelled' || status === 'attended' ? status : 'no_show'}`;

/** The error summary of the desk and the message by each field, in the reader's language. */
export function deskErrors(problems: readonly KeyProblem[], selfRefused: boolean, t: (key: string) => string) {
  const text: Record<KeyProblem, { href: string; text: string }> = {
    empty: { href: '#email', text: t('staff.gdpr.error.empty') },
    email: { href: '#email', text: t('staff.gdpr.error.email') },
    phone: { href: '#phone', text: t('staff.gdpr.error.phone') },
  };
  const summary = [
    ...problems.map((p) => text[p]),
    ...(selfRefused ? [{ href: '#results', text: t('staff.gdpr.error.self') }] : []),
  ];
  // An empty search is told by the email field, the first one.
  const fieldError = (field: 'email' | 'phone') =>
    problems.includes(field)
      ? text[field].text
      : field === 'email' && problems.includes('empty')
        ? text.empty.text
        : undefined;
  return { summary, fieldError };
}

export interface DeskResults {
  /** What is stored about the person the kept search found, or undefined. */
  matches: PersonalDataMatches | undefined;
  /** The erasure's confirmation step, at its own address only (?passo=conferma). */
  confirming: boolean;
  /** How many records were found, in every table. */
  total: number;
}

/** The results (or the confirmation) of the search the draft kept: the search runs again each time. */
export async function deskResults(
  db: Db,
  kept: KeptFormInput | undefined,
  key: { email: string; phone: string },
  url: URL,
): Promise<DeskResults> {
  const step = kept?.step;
  const found = step === GDPR_RESULTS || step === GDPR_CONFIRM ? await findPersonalData(db, key) : undefined;
  const matches = found && !isKeyProblem(found) ? found : undefined;
  return {
    matches,
    confirming: !!matches && step === GDPR_CONFIRM && url.searchParams.get('passo') === 'conferma',
    total: matches ? Object.values(matches.counts).reduce((a, b) => a + b, 0) : 0,
  };
}
