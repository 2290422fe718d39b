// The facts and stops part of the staff event form (issue #13): age bands, price, step-free
// access, LIS, childcare, languages spoken, and up to three ordered stops. Plain fields (no
// JavaScript), read and checked with zod into message keys "eventFacts.staff.error.*". Pure.
import { z } from 'astro/zod';
import type { PriceKind } from '#/server/db/database.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { languageCodes } from '#/lib/validation.ts';
import { AGE_BANDS, PRICE_KINDS, type EventFacts, type EventStop } from './event-facts.ts';

export const STOP_ROWS = 3;
const STOP_PARTS = ['Time', 'Place', 'Address', 'Transit'] as const;
type StopPart = (typeof STOP_PARTS)[number];
export const stopFieldName = (row: number, part: StopPart) => `stop${row}${part}`;
export const ageFieldName = (band: string) => `age-${band}`;
const STOP_TEXT_MAX = 200;
const LANGUAGES_MAX = 12;

/** The fields of this part, in page order (also the order of the error summary). */
export const FACTS_FORM_ORDER: string[] = [
  ...AGE_BANDS.map(ageFieldName),
  'priceKind',
  'price',
  'stepFree',
  'lis',
  'childcare',
  'languages',
  ...Array.from({ length: STOP_ROWS }, (_, i) => STOP_PARTS.map((p) => stopFieldName(i + 1, p))).flat(),
];

export const FACTS_ERROR_KEYS = [
  'priceKindInvalid',
  'priceRequired',
  'priceInvalid',
  'stepFreeInvalid',
  'languagesInvalid',
  'stopTimeInvalid',
  'stopPlaceRequired',
  'stopAddressRequired',
  'stopTooLong',
].map((k) => `eventFacts.staff.error.${k}`);

export type FactsFormValues = Record<string, string>;

/** Reads the fields by name; missing ones (an unticked box) read as empty, a missing price kind as free. */
export function readFactsFields(get: (name: string) => unknown): FactsFormValues {
  const values: FactsFormValues = Object.fromEntries(
    FACTS_FORM_ORDER.map((name) => {
      const v = get(name);
      return [name, typeof v === 'string' ? v.slice(0, STOP_TEXT_MAX + 1000) : ''];
    }),
  );
  // A form posted without the choice (an older page, a script) means what the page preselects.
  if (values.priceKind === '') values.priceKind = 'free';
  return values;
}

export const emptyFactsForm = (): FactsFormValues => ({
  ...Object.fromEntries(FACTS_FORM_ORDER.map((n) => [n, ''])),
  priceKind: 'free',
});

/** The fields filled with an event's facts and stops as stored. */
export function factsFormValues(facts: EventFacts, stops: readonly EventStop[]): FactsFormValues {
  const values = emptyFactsForm();
  for (const band of facts.ageBands) values[ageFieldName(band)] = '1';
  values.priceKind = facts.priceKind;
  values.price = facts.priceCents === null ? '' : (facts.priceCents / 100).toFixed(2).replace('.', ',');
  values.stepFree = facts.stepFree === null ? '' : facts.stepFree ? 'yes' : 'no';
  values.lis = facts.lis ? '1' : '';
  values.childcare = facts.childcare ? '1' : '';
  values.languages = facts.languages.join(', ');
  stops.slice(0, STOP_ROWS).forEach((s, i) => {
    values[stopFieldName(i + 1, 'Time')] = s.time;
    values[stopFieldName(i + 1, 'Place')] = s.place;
    values[stopFieldName(i + 1, 'Address')] = s.address;
    values[stopFieldName(i + 1, 'Transit')] = s.transit?.it ?? '';
  });
  return values;
}

const line = (v: string) => v.replace(/[\u0000-\u001F\u007F-\u009F]+/g, ' ').trim();
const E = (k: string) => `eventFacts.staff.error.${k}`;

const factsSchema = z.object({
  priceKind: z.enum(PRICE_KINDS, { error: E('priceKindInvalid') }),
  stepFree: z.enum(['', 'yes', 'no'], { error: E('stepFreeInvalid') }),
  // ISO 639 codes, separated by commas or spaces: "it, ar".
  languages: languageCodes(E('languagesInvalid'), LANGUAGES_MAX),
});

/** "12", "12,50", "12.5" euro → cents; undefined when it is not such an amount (1 cent to 1000 €). */
function cents(text: string): number | undefined {
  const m = /^(\d{1,4})(?:[.,](\d{1,2}))?$/.exec(toLatinDigits(text).trim().replace(/\s*€$/, ''));
  if (!m) return undefined;
  const value = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  return value >= 1 && value <= 100000 ? value : undefined;
}

export type FactsCheck =
  { ok: true; facts: EventFacts; stops: EventStop[] } | { ok: false; errors: Record<string, string> };

export function checkFactsForm(values: FactsFormValues): FactsCheck {
  const errors: Record<string, string> = {};
  const add = (name: string, key: string) => (errors[name] ??= key);
  const parsed = factsSchema.safeParse(values);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      add(
        String(issue.path[0]),
        issue.message.startsWith(E('')) ? issue.message : E(`${String(issue.path[0])}Invalid`),
      );
  // Read on its own, so a bad field elsewhere still lets the price be checked.
  const priceKind: PriceKind = (PRICE_KINDS as readonly string[]).includes(values.priceKind ?? '')
    ? (values.priceKind as PriceKind)
    : 'free';
  let priceCents: number | null = null;
  if (priceKind === 'price') {
    if (!values.price?.trim()) add('price', E('priceRequired'));
    else priceCents = cents(values.price) ?? null;
    if (values.price?.trim() && priceCents === null) add('price', E('priceInvalid'));
  }
  const stops: EventStop[] = [];
  for (let row = 1; row <= STOP_ROWS; row++) {
    const [time, place, address, transit] = STOP_PARTS.map((p) => line(values[stopFieldName(row, p)] ?? ''));
    if (!time && !place && !address && !transit) continue;
    const m = /^(\d{1,2})[:.](\d{2})$/.exec(time!);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) add(stopFieldName(row, 'Time'), E('stopTimeInvalid'));
    if (!place) add(stopFieldName(row, 'Place'), E('stopPlaceRequired'));
    if (!address) add(stopFieldName(row, 'Address'), E('stopAddressRequired'));
    for (const [part, v] of [
      ['Place', place],
      ['Address', address],
      ['Transit', transit],
    ] as const)
      if (v!.length > STOP_TEXT_MAX) add(stopFieldName(row, part), E('stopTooLong'));
    if (m)
      stops.push({
        time: `${m[1]!.padStart(2, '0')}:${m[2]}`,
        place: place!,
        address: address!,
        transit: transit ? { it: transit } : null,
      });
  }
  // Stops are kept in the order of their times.
  stops.sort((a, b) => a.time.localeCompare(b.time));
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return {
    ok: true,
    stops,
    facts: {
      ageBands: AGE_BANDS.filter((b) => values[ageFieldName(b)] === '1'),
      priceKind,
      priceCents,
      stepFree: parsed.data.stepFree === '' ? null : parsed.data.stepFree === 'yes',
      lis: values.lis === '1',
      childcare: values.childcare === '1',
      languages: parsed.data.languages,
    },
  };
}
