import { describe, expect, it } from 'vitest';
import { bookingDetailsSchema, checkTopic, fieldErrors } from './validate.ts';

const valid = {
  firstName: ' Amina ',
  phone: '351 681 8198',
  email: '',
  topic: '',
  note: '',
  locale: 'ar',
  privacyAccepted: true,
};

describe('booking details', () => {
  it('accepts a phone-only booking and normalises it', () => {
    const r = bookingDetailsSchema.safeParse(valid);
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({
      firstName: 'Amina',
      phone: '+393516818198',
      email: null,
      note: null,
      topic: null,
      locale: 'ar',
    });
  });

  it('needs a name and one contact, and no box ticked (public task, not consent)', () => {
    const r = bookingDetailsSchema.safeParse({ ...valid, firstName: '  ', phone: '', privacyAccepted: false });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toEqual({
      firstName: 'booking.error.nameRequired',
      phone: 'booking.error.contactRequired',
    });
    const { privacyAccepted: _dropped, ...withoutBox } = valid as typeof valid & { privacyAccepted?: unknown };
    expect(bookingDetailsSchema.safeParse(withoutBox).success).toBe(true);
  });

  it('reports a missing contact on the phone field', () => {
    const r = bookingDetailsSchema.safeParse({ ...valid, phone: '' });
    expect(fieldErrors(r.error!)).toEqual({ phone: 'booking.error.contactRequired' });
  });

  it('asks a landline-only booking for a mobile or an email, where its code can go', () => {
    const landline = bookingDetailsSchema.safeParse({ ...valid, phone: '02 8845 1234' });
    expect(fieldErrors(landline.error!)).toEqual({ phone: 'booking.error.mobileOrEmail' });
    const withEmail = bookingDetailsSchema.safeParse({ ...valid, phone: '02 8845 1234', email: 'amina@example.org' });
    expect(withEmail.success).toBe(true);
  });

  it('rejects bad contacts, long notes, control characters and wrong types', () => {
    const r = bookingDetailsSchema.safeParse({ ...valid, email: 'nope', phone: 'abc', note: 'x'.repeat(201) });
    expect(fieldErrors(r.error!)).toEqual({
      email: 'booking.error.emailInvalid',
      phone: 'booking.error.phoneInvalid',
      note: 'booking.error.noteTooLong',
    });
    expect(bookingDetailsSchema.safeParse({ ...valid, firstName: 'A\u0000B' }).success).toBe(false);
    expect(bookingDetailsSchema.safeParse({ ...valid, firstName: 42 }).success).toBe(false);
    expect(bookingDetailsSchema.safeParse({ ...valid, locale: 'fr' }).success).toBe(false);
    expect(bookingDetailsSchema.safeParse({ ...valid, note: 'riga 1\nriga 2' }).success).toBe(true);
  });

  it('keeps topics to the desk’s services', () => {
    expect(checkTopic('orientation', ['orientation'])).toBeUndefined();
    expect(checkTopic(null, ['orientation'])).toBeUndefined();
    expect(checkTopic('tax-advice', ['orientation'])).toBe('booking.error.topicInvalid');
  });
});
