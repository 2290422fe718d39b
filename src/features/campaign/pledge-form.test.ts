import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPledgeForm,
  checkQuantities,
  emptyPledgeForm,
  parsePledgeRequest,
  parseQuantity,
  readPledgeForm,
} from './pledge-form.ts';
import { readPledgeConfirmation, signPledgeConfirmation } from './pledge-confirmation.ts';
import { signConfirmation } from '#/features/booking/confirmation.ts';
import {
  checkVolunteer,
  readVolunteerForm,
  volunteerInputFromForm,
  volunteerInputFromJson,
} from '#/features/volunteers/volunteer-form.ts';
import { LOCALES } from '#/lib/locales.ts';
import { messages } from '#/lib/i18n.ts';

const items = [
  { slug: 'zaino', label: 'Zaino', max: 10 },
  { slug: 'colla', label: 'Colla', max: 0 },
  { slug: 'diario', label: 'Diario', max: 3 },
];

describe('pledge form', () => {
  it('reads quantities as people type them, Arabic digits included', () => {
    expect(parseQuantity('')).toBe(0);
    expect(parseQuantity(' 3 ')).toBe(3);
    expect(parseQuantity('٣')).toBe(3);
    expect(parseQuantity('1000')).toBe(1000);
    for (const bad of ['1001', '-1', '1.5', '2e1', 'due', '0x10']) expect(parseQuantity(bad)).toBeUndefined();
  });

  it('keeps each quantity within what is still needed and asks for at least one', () => {
    const values = { ...emptyPledgeForm(), quantities: { zaino: '11', colla: '1', diario: 'x' } };
    const { errors } = checkQuantities(values, items);
    expect([...errors]).toEqual([
      ['qty-zaino', { key: 'pledge.error.quantityTooMany', values: { item: 'Zaino', max: 10 } }],
      ['qty-colla', { key: 'pledge.error.itemComplete', values: { item: 'Colla' } }],
      ['qty-diario', { key: 'pledge.error.quantityInvalid', values: { item: 'Diario' } }],
    ]);
    expect([...checkQuantities(emptyPledgeForm(), items).errors]).toEqual([
      ['qty-zaino', { key: 'pledge.error.itemsRequired' }],
    ]);
    expect(checkQuantities({ ...emptyPledgeForm(), quantities: { zaino: '2', diario: '3' } }, items)).toEqual({
      errors: new Map(),
      lines: [
        { item: 'zaino', quantity: 2 },
        { item: 'diario', quantity: 3 },
      ],
    });
  });

  it('checks the window, the name and one contact, every problem at once; no privacy box to tick', () => {
    const form = new FormData();
    form.set('qty-zaino', '2');
    form.set('window', '99');
    form.set('phone', '٣٥١ ٦٨١ ٨١٩٨');
    const values = readPledgeForm(form, ['zaino', 'diario']);
    expect(values.phone).toBe('351 681 8198');
    const checked = checkPledgeForm(values, items, [1, 2], 'ar');
    expect(checked.valid).toBeUndefined();
    expect([...checked.errors.keys()]).toEqual(['window', 'name']);
    expect(checked.errors.get('window')?.key).toBe('pledge.error.windowGone');

    const ok = checkPledgeForm({ ...values, window: '2', name: ' Amina ', privacyAccepted: true }, items, [1, 2], 'ar');
    expect(ok.valid).toEqual({
      lines: [{ item: 'zaino', quantity: 2 }],
      windowId: 2,
      contact: { name: 'Amina', email: null, phone: '+393516818198', locale: 'ar' },
    });
    const noContact = checkPledgeForm(
      { ...values, window: '2', name: 'A', phone: '', privacyAccepted: true },
      items,
      [2],
      'it',
    );
    expect(noContact.errors.get('phone')?.key).toBe('pledge.error.contactRequired');
    const nul = checkPledgeForm(
      { ...values, window: '2', name: 'A', email: 'a\u0000@b.org', privacyAccepted: true },
      items,
      [2],
      'it',
    );
    expect(nul.errors.get('email')?.key).toBe('pledge.error.emailInvalid');
  });

  it('parses API requests strictly, reporting every field', () => {
    const ok = {
      campaign: 'zaino-sospeso',
      items: [{ item: 'zaino', quantity: 2 }],
      dropOffPoint: 'gallaratese',
      collectionWindow: 4,
      name: 'Amina',
      email: 'A@Example.org',
      locale: 'en',
      privacyAccepted: true,
    };
    const parsed = parsePledgeRequest(ok);
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        lines: [{ item: 'zaino', quantity: 2 }],
        collectionWindow: 4,
        contact: { email: 'a@example.org', phone: null },
        submissionKey: null,
      },
    });
    const bad = parsePledgeRequest({
      campaign: 1,
      items: [{ item: 'zaino', quantity: 1.5 }],
      dropOffPoint: null,
      collectionWindow: '4',
      name: '',
      locale: 'fr',
      privacyAccepted: 'true',
      submissionKey: 'k'.repeat(65),
    });
    expect(bad).toEqual({
      ok: false,
      fields: {
        name: 'pledge.error.nameRequired',
        phone: 'pledge.error.contactRequired',
        locale: 'pledge.error.localeInvalid',
        privacyAccepted: 'pledge.error.privacyRequired',
        campaign: 'pledge.error.campaignInvalid',
        items: 'pledge.error.itemsInvalid',
        dropOffPoint: 'pledge.error.pointInvalid',
        collectionWindow: 'pledge.error.windowInvalid',
        submissionKey: 'pledge.error.submissionKeyInvalid',
      },
    });
    // The code that confirms a pledge cannot reach a landline: a mobile or an email is asked for.
    expect(parsePledgeRequest({ ...ok, email: null, phone: '02 8846 5000' })).toEqual({
      ok: false,
      fields: { phone: 'pledge.error.mobileOrEmail' },
    });
    expect(parsePledgeRequest({ ...ok, email: null, phone: '333 123 4567' })).toMatchObject({ ok: true });
    expect(parsePledgeRequest({ ...ok, items: [] })).toMatchObject({
      ok: false,
      fields: { items: 'pledge.error.itemsRequired' },
    });
    expect(parsePledgeRequest({ ...ok, items: [{ item: 'zaino', quantity: 0 }] })).toMatchObject({
      ok: false,
      fields: { items: 'pledge.error.itemsInvalid' },
    });
    expect(parsePledgeRequest({ ...ok, items: [null] })).toMatchObject({
      ok: false,
      fields: { items: 'pledge.error.itemsInvalid' },
    });
  });
});

describe('pledge confirmation links', () => {
  it('are signed, expire, and are not interchangeable with booking links', () => {
    const now = new Date('2026-11-24T10:00:00Z');
    const token = signPledgeConfirmation('secret', 42, now);
    expect(readPledgeConfirmation('secret', token, now)).toEqual({ ok: true, pledgeId: 42 });
    expect(readPledgeConfirmation('other', token, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(readPledgeConfirmation('secret', token, new Date(now.getTime() + 8 * 86400000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(readPledgeConfirmation('secret', signConfirmation('secret', 42, now), now)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(readPledgeConfirmation('secret', null, now)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('volunteer sign-up', () => {
  const form = () => {
    const f = new FormData();
    f.set('name', '  Li   Wei ');
    f.set('email', 'Li.Wei@Example.org');
    f.set('phone', '');
    for (const m of ['8', '2', '8']) f.append('municipi', m);
    for (const s of ['homework', 'translation']) f.append('skills', s);
    f.append('languages', 'zh');
    f.append('availability', 'mon-evening');
    f.set('consent', 'yes');
    return f;
  };

  it('reads the form into the shared schema', () => {
    const checked = checkVolunteer(volunteerInputFromForm(readVolunteerForm(form()), 'zh'));
    expect(checked).toEqual({
      ok: true,
      value: {
        name: 'Li Wei',
        email: 'li.wei@example.org',
        phone: null,
        municipi: [2, 8],
        skills: ['homework', 'translation'],
        languages: ['zh'],
        availability: ['mon-evening'],
        note: null,
        locale: 'zh',
        consent: true,
      },
    });
  });

  it('reports every problem, in the order of the form, and asks translators for a language', () => {
    const f = form();
    f.delete('municipi');
    f.delete('languages');
    f.set('email', 'nope');
    f.append('availability', 'mon-night');
    f.delete('consent');
    const checked = checkVolunteer(volunteerInputFromForm(readVolunteerForm(f), 'it'));
    expect(checked).toEqual({
      ok: false,
      fields: {
        email: 'volunteer.error.emailInvalid',
        municipi: 'volunteer.error.municipiRequired',
        languages: 'volunteer.error.languagesRequired',
        availability: 'volunteer.error.availabilityInvalid',
        consent: 'volunteer.error.consentRequired',
      },
    });
  });

  it('treats JSON nulls as absent and refuses control characters in the email', () => {
    const body = {
      name: 'A',
      email: 'a@b.org',
      phone: null,
      municipi: [1],
      skills: ['events'],
      languages: null,
      availability: null,
      note: null,
      locale: 'en',
      consent: true,
    };
    expect(checkVolunteer(volunteerInputFromJson(body)).ok).toBe(true);
    expect(checkVolunteer(volunteerInputFromJson({ ...body, email: 'a\u0000@b.org' }))).toMatchObject({
      ok: false,
      fields: { email: 'volunteer.error.emailInvalid' },
    });
    expect(
      checkVolunteer(volunteerInputFromJson({ ...body, skills: ['flying'], municipi: [10], languages: ['xx'] })),
    ).toMatchObject({
      ok: false,
      fields: {
        municipi: 'volunteer.error.municipiInvalid',
        skills: 'volunteer.error.skillsInvalid',
        languages: 'volunteer.error.languagesInvalid',
      },
    });
  });
});

describe('message keys', () => {
  it('every pledge.error.* and volunteer.error.* key these forms can produce exists in every locale', () => {
    const files = ['pledge-form.ts', '../volunteers/volunteer-form.ts', '../volunteers/vocabulary.ts'].map((f) =>
      readFileSync(path.join(import.meta.dirname, f), 'utf8'),
    );
    const keys = new Set(
      files.flatMap((text) => [...text.matchAll(/'((?:pledge|volunteer)\.error\.[A-Za-z]+)'/g)].map((m) => m[1]!)),
    );
    // Built from field names when zod words an issue itself.
    for (const field of [
      'name',
      'email',
      'phone',
      'municipi',
      'skills',
      'languages',
      'availability',
      'note',
      'locale',
      'consent',
    ])
      keys.add(`volunteer.error.${field}Invalid`);
    for (const field of ['name', 'email', 'phone', 'locale']) keys.add(`pledge.error.${field}Invalid`);
    expect(keys.size).toBeGreaterThan(30);
    for (const locale of LOCALES)
      expect(
        [...keys].filter((k) => !messages[locale][k]),
        locale,
      ).toEqual([]);
  });
});
