// The booking flow's form handling without a database: what is carried between steps, which
// step's errors are shown, and that every message a step can show exists in every language.
import { describe, expect, it } from 'vitest';
import { emptyDraft, hasContactStep, readDraft, validateDraft, type BookingDraft } from './booking-flow.ts';
import { stateFromStored } from './booking-steps.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { LOCALES } from '#/lib/locales.ts';
import { messages } from '#/lib/i18n.ts';

const desk = { services: ['orientation', 'listening'] } as Desk;
const filled: BookingDraft = {
  ...emptyDraft('2026-12-02T13:00:00.000Z'),
  topic: 'orientation',
  note: 'Vorrei informazioni sul centro estivo.',
  firstName: 'Amina',
  phone: '351 681 8198',
  locale: 'ar',
  privacyAccepted: true,
  formStartedAt: '1764000000000.abc',
};

describe('booking flow drafts', () => {
  it('reads a form, turning Arabic-Indic digits into 0-9 and bounding every value', () => {
    const form = new FormData();
    form.set('phone', '٣٥١ ٦٨١ ٨١٩٨');
    form.set('note', 'x'.repeat(5000));
    form.set('privacyAccepted', 'yes');
    const draft = readDraft(form);
    expect(draft.phone).toBe('351 681 8198');
    expect(draft.note).toHaveLength(400);
    expect(draft.privacyAccepted).toBe(true);
    expect(readDraft(new FormData())).toEqual(emptyDraft());
  });

  it('takes from a stored draft only this desk’s answers, each of the right type and bounded', () => {
    const stored = {
      ...filled,
      desk: 'gallaratese',
      submitted: ['details', 'nope'],
      note: 'n'.repeat(5000),
      privacyAccepted: 'yes',
      notice: 'other',
    };
    const state = stateFromStored(stored, 'gallaratese');
    expect(state).toMatchObject({
      firstName: 'Amina',
      phone: '351 681 8198',
      submitted: ['details'],
      privacyAccepted: false,
    });
    expect(state.note).toHaveLength(400);
    expect(state.notice).toBeUndefined();
    expect(stateFromStored(stored, 'villapizzone')).toEqual({ ...emptyDraft(), desk: 'villapizzone', submitted: [] });
    expect(stateFromStored('garbage', 'gallaratese').firstName).toBe('');
    expect(hasContactStep(emptyDraft('x'))).toBe(false);
    expect(hasContactStep(filled)).toBe(true);
  });

  it('splits the errors by step, so a step never shows the next one’s', () => {
    const onlyDetails = validateDraft({ ...emptyDraft('x'), note: 'x'.repeat(201), topic: 'tax-advice' }, desk);
    expect(onlyDetails.details).toEqual({ topic: 'booking.error.topicInvalid', note: 'booking.error.noteTooLong' });
    // No privacy box to tick (public task, not consent): the contact step asks who and how only.
    expect(Object.keys(onlyDetails.contact)).toEqual(['firstName', 'phone', 'locale']);
    expect(validateDraft(filled, desk)).toMatchObject({
      details: {},
      contact: {},
      valid: { phone: '+393516818198', email: null, topic: 'orientation' },
    });
  });

  it('has every message a step can show in every language', () => {
    const drafts: BookingDraft[] = [
      emptyDraft(),
      { ...filled, firstName: 'A'.repeat(81), email: 'nope', phone: 'abc', note: 'a\u0000b', locale: 'fr', topic: 'x' },
      { ...filled, firstName: 'A\u0001', phone: '', email: '' },
    ];
    const keys = new Set([
      'booking.error.slotRequired',
      'booking.error.slotTaken',
      'booking.error.tooFast',
      'booking.error.formExpired',
      'booking.error.referenceInvalid',
      'booking.error.phoneRequired',
      'manage.lookup.notFound',
    ]);
    for (const draft of drafts) {
      const { details, contact } = validateDraft(draft, desk);
      for (const key of [...Object.values(details), ...Object.values(contact)]) keys.add(key!);
    }
    expect(keys.size).toBeGreaterThan(12);
    for (const locale of LOCALES)
      expect(
        [...keys].filter((k) => !messages[locale][k]),
        locale,
      ).toEqual([]);
  });
});
