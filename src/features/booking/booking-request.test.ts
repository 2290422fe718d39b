import { describe, expect, it } from 'vitest';
import {
  parseBookingRequest,
  parseCancelRequest,
  parseIsoInstant,
  responseLocale,
  translateFields,
} from './booking-request.ts';
import { getTranslator, messages } from '#/lib/i18n.ts';

const valid = {
  desk: 'quarto-oggiaro',
  start: '2026-12-15T10:00:00+01:00',
  name: 'Amina',
  phone: '351 681 8198',
  locale: 'ar',
  privacyAccepted: true,
};

describe('ISO instants', () => {
  it('needs an offset and a real calendar date', () => {
    expect(parseIsoInstant('2026-12-15T10:00:00+01:00')?.toISOString()).toBe('2026-12-15T09:00:00.000Z');
    expect(parseIsoInstant('2026-07-07T10:30+02:00')?.toISOString()).toBe('2026-07-07T08:30:00.000Z');
    expect(parseIsoInstant('2026-12-15T09:00:00.5Z')?.toISOString()).toBe('2026-12-15T09:00:00.500Z');
    for (const bad of [
      '2026-12-15T10:00:00',
      '2026-02-31T10:00:00Z',
      '2026-12-15T24:00:00Z',
      '2026-12-15 10:00Z',
      '2026-12-15T10:00:00+15:00',
      'tomorrow',
      20261215,
      null,
    ]) {
      expect(parseIsoInstant(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('booking request', () => {
  it('accepts a valid request and normalises the details', () => {
    const r = parseBookingRequest({ ...valid, submissionKey: 'c0ffee-1' });
    expect(r).toMatchObject({
      ok: true,
      value: {
        deskSlug: 'quarto-oggiaro',
        submissionKey: 'c0ffee-1',
        details: { firstName: 'Amina', phone: '+393516818198', email: null },
      },
    });
  });

  it('reports every problem at once under the API’s field names', () => {
    const r = parseBookingRequest({
      desk: 'Quarto Oggiaro',
      start: '2026-12-15T10:00',
      name: 42,
      email: 'a\u0000b@example.org',
      locale: 'ar',
      privacyAccepted: 'yes',
      submissionKey: 'x'.repeat(65),
    });
    expect(r).toEqual({
      ok: false,
      fields: {
        name: 'booking.error.nameRequired',
        email: 'booking.error.emailInvalid',
        privacyAccepted: 'booking.error.privacyRequired',
        desk: 'booking.error.deskInvalid',
        start: 'booking.error.startInvalid',
        submissionKey: 'booking.error.submissionKeyInvalid',
      },
    });
  });

  it('answers in the request’s language, or Italian when that is the problem', () => {
    expect(responseLocale({ locale: 'ar' })).toBe('ar');
    expect(responseLocale({ locale: { ar: true } })).toBe('it');
    const r = parseBookingRequest({ ...valid, name: '' });
    if (r.ok) throw new Error('accepted an empty name');
    expect(translateFields(r.fields, getTranslator('ar'))).toEqual({ name: messages.ar['booking.error.nameRequired'] });
  });

  it('has a message for every key it can produce, in every language', () => {
    const keys = ['desk', 'start', 'submissionKey', 'firstName', 'privacyAccepted', 'form'].map(
      (f) => `booking.error.${f}Invalid`,
    );
    for (const dict of Object.values(messages)) for (const key of keys) expect(dict[key], key).toBeTruthy();
  });
});

describe('cancel request', () => {
  it('takes a token, or a reference and a phone as people type them', () => {
    expect(parseCancelRequest({ token: 'abc' })).toEqual({ kind: 'token', token: 'abc' });
    expect(parseCancelRequest({ reference: 'qb 7k4m 2p', phone: '351 681 8198' })).toEqual({
      kind: 'reference',
      reference: 'QB-7K4M-2P',
      phone: '+393516818198',
    });
    expect(parseCancelRequest({ reference: 'nope', phone: 'nope' })).toEqual({
      kind: 'reference',
      reference: undefined,
      phone: undefined,
    });
    expect(parseCancelRequest({ reference: 'QB-7K4M-2P' })).toBeUndefined();
    expect(parseCancelRequest({ token: ['abc'] })).toBeUndefined();
  });
});
