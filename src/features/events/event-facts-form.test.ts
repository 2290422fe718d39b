// The facts and stops of the staff event form: what a partner types becomes the stored facts and
// ordered stops, and bad input is a message key on its field.
import { describe, expect, it } from 'vitest';
import { checkFactsForm, emptyFactsForm, factsFormValues } from './event-facts-form.ts';

const form = (values: Record<string, string>) => ({ ...emptyFactsForm(), ...values });

describe('the facts and stops of the event form', () => {
  it('reads age bands, a price in euro, access, services, languages and stops in time order', () => {
    const checked = checkFactsForm(
      form({
        'age-0-3': '1',
        'age-6-11': '1',
        priceKind: 'price',
        price: '7,50',
        stepFree: 'yes',
        lis: '1',
        languages: 'IT, ar ar;es',
        stop1Time: '16:45',
        stop1Place: 'Comunità Oklahoma',
        stop1Address: 'Via Costantino Baroni 228',
        stop2Time: '16.30',
        stop2Place: 'Agorà delle Torri Bianche',
        stop2Address: 'Via Saponaro',
        stop2Transit: 'Tram 3',
      }),
    );
    expect(checked).toEqual({
      ok: true,
      facts: {
        ageBands: ['0-3', '6-11'],
        priceKind: 'price',
        priceCents: 750,
        stepFree: true,
        lis: true,
        childcare: false,
        languages: ['it', 'ar', 'es'],
      },
      stops: [
        { time: '16:30', place: 'Agorà delle Torri Bianche', address: 'Via Saponaro', transit: { it: 'Tram 3' } },
        { time: '16:45', place: 'Comunità Oklahoma', address: 'Via Costantino Baroni 228', transit: null },
      ],
    });
    // And back into the form as stored.
    if (checked.ok)
      expect(factsFormValues(checked.facts, checked.stops)).toMatchObject({ price: '7,50', stop1Time: '16:30' });
  });

  it('names each bad field with its message key', () => {
    expect(
      checkFactsForm(
        form({
          priceKind: 'price',
          stepFree: 'maybe',
          languages: 'italiano',
          stop1Time: '25:00',
          stop1Place: '',
          stop1Address: 'Via Saponaro',
        }),
      ),
    ).toEqual({
      ok: false,
      errors: {
        stepFree: 'eventFacts.staff.error.stepFreeInvalid',
        languages: 'eventFacts.staff.error.languagesInvalid',
        price: 'eventFacts.staff.error.priceRequired',
        stop1Time: 'eventFacts.staff.error.stopTimeInvalid',
        stop1Place: 'eventFacts.staff.error.stopPlaceRequired',
      },
    });
    expect(checkFactsForm(form({ priceKind: 'price', price: '0' }))).toEqual({
      ok: false,
      errors: { price: 'eventFacts.staff.error.priceInvalid' },
    });
    expect(checkFactsForm(form({ priceKind: 'gratis' }))).toMatchObject({
      ok: false,
      errors: { priceKind: 'eventFacts.staff.error.priceKindInvalid' },
    });
  });

  it('a form with nothing chosen is free, for every age, with no stops', () => {
    expect(checkFactsForm(emptyFactsForm())).toEqual({
      ok: true,
      facts: {
        ageBands: [],
        priceKind: 'free',
        priceCents: null,
        stepFree: null,
        lis: false,
        childcare: false,
        languages: [],
      },
      stops: [],
    });
  });
});

describe('a form posted without the facts fields', () => {
  it('reads as free, for every age, with no stops', async () => {
    const { readFactsFields } = await import('./event-facts-form.ts');
    expect(checkFactsForm(readFactsFields(() => undefined))).toMatchObject({
      ok: true,
      facts: { priceKind: 'free', ageBands: [] },
      stops: [],
    });
  });
});
