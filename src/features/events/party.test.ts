import { describe, expect, it } from 'vitest';
import { parsePartyForm, parsePartyJson } from './party.ts';

describe('a party as the form and the API give it', () => {
  it('reports every problem at once', () => {
    expect(parsePartyJson({ adults: 0, children: [], name: ' ', locale: 'fr' })).toEqual({
      ok: false,
      fields: {
        adults: 'events.register.error.partyEmpty',
        name: 'events.register.error.nameRequired',
        phone: 'events.register.error.contactRequired',
        locale: 'events.register.error.localeInvalid',
      },
    });
  });

  it('reads counts typed with Arabic-Indic digits and a phone with spaces', () => {
    const parsed = parsePartyForm({
      adults: '٢',
      children_0_3: '1',
      name: 'Amina',
      phone: '333 123 4567',
      locale: 'ar',
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        adults: 2,
        children: { '0-3': 1, '3-6': 0, '6-11': 0, '11-14': 0 },
        name: 'Amina',
        phone: '+393331234567',
        email: null,
        locale: 'ar',
      },
    });
  });

  it('refuses children without an adult, two contacts and a landline', () => {
    const base = { name: 'A', locale: 'it' };
    expect(parsePartyJson({ ...base, adults: 0, children: ['0-3'], phone: '+393331234567' })).toMatchObject({
      fields: { adults: 'events.register.error.adultRequired' },
    });
    expect(parsePartyJson({ ...base, adults: 1, phone: '+393331234567', email: 'a@example.org' })).toMatchObject({
      fields: { phone: 'events.register.error.oneContact' },
    });
    expect(parsePartyJson({ ...base, adults: 1, phone: '02 8845 1234' })).toMatchObject({
      fields: { phone: 'events.register.error.mobileRequired' },
    });
  });
});
