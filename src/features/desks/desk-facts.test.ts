import { describe, expect, it } from 'vitest';
import { checkDeskFacts, deskFactsFormValues, type DeskFactsForm } from './desk-facts.ts';

const form = (over: Partial<DeskFactsForm> = {}): DeskFactsForm =>
  ({
    languages: 'IT, ar;es ar',
    'mediator-1': '',
    'mediator-2': '1',
    'mediator-3': '',
    'mediator-4': '1',
    'mediator-5': '',
    'mediator-6': '',
    'mediator-7': '',
    stepFree: 'yes',
    whatToBring: ' Un documento ',
    transit: 'M1 Bonola; bus 68',
    latitude: '45,4957',
    longitude: '9.1128',
    ...over,
  }) as DeskFactsForm;

describe('a desk’s facts as staff type them', () => {
  it('reads languages, mediator days, access, what to bring, lines and coordinates', () => {
    expect(checkDeskFacts(form())).toEqual({
      ok: true,
      value: {
        languages: ['it', 'ar', 'es'],
        mediatorWeekdays: [2, 4],
        stepFree: true,
        whatToBring: 'Un documento',
        transit: 'M1 Bonola; bus 68',
        coordinates: { latitude: 45.4957, longitude: 9.1128 },
      },
    });
  });

  it('keeps "not checked" and no coordinates as such', () => {
    const checked = checkDeskFacts(form({ stepFree: '', latitude: '', longitude: '', transit: ' ' }));
    expect(checked).toMatchObject({ ok: true, value: { stepFree: null, coordinates: null, transit: null } });
  });

  it('refuses what would mislead a family, each field with its message', () => {
    const checked = checkDeskFacts(
      form({ languages: 'arabo', stepFree: 'maybe', latitude: '95', whatToBring: 'x'.repeat(501) }),
    );
    expect(checked).toEqual({
      ok: false,
      errors: {
        languages: 'staff.desk.error.languagesInvalid',
        stepFree: 'staff.desk.error.stepFreeInvalid',
        whatToBring: 'staff.desk.error.whatToBringTooLong',
        latitude: 'staff.desk.error.coordinatesInvalid',
      },
    });
    expect(checkDeskFacts(form({ languages: '' }))).toMatchObject({
      ok: false,
      errors: { languages: 'staff.desk.error.languagesInvalid' },
    });
    expect(checkDeskFacts(form({ longitude: '' }))).toEqual({
      ok: false,
      errors: { longitude: 'staff.desk.error.coordinatesTogether' },
    });
  });

  it('fills the form back with the stored facts', () => {
    const values = deskFactsFormValues({
      languages: ['it', 'zh'],
      mediatorWeekdays: [5],
      stepFree: false,
      whatToBring: { it: 'Documento' },
      transit: null,
      coordinates: { latitude: 45.5, longitude: 9.15 },
      isSample: true,
    });
    expect(values).toMatchObject({ languages: 'it, zh', 'mediator-5': '1', 'mediator-1': '', stepFree: 'no' });
    expect(checkDeskFacts(values)).toMatchObject({ ok: true, value: { mediatorWeekdays: [5], stepFree: false } });
  });
});
