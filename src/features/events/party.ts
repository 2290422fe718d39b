// A family's sign-up for an event (issue #13): how many adults, how many children in each age band
// (never names or birth dates), a name, one contact that can receive the code (a mobile or an
// email) and the family's language. One schema for the HTML form and the JSON API; its messages
// are locale keys (events.register.error.*). Pure.
import { z } from 'astro/zod';
import { smsRecipientOf } from '#/server/mail/outbox.ts';
import { normalizeEmail, normalizePhone, toLatinDigits } from '#/lib/contact.ts';
import { issueKeys, personName, siteLocale } from '#/lib/validation.ts';
import type { Locale } from '#/lib/locales.ts';

/** The children's age bands, as families and the API name them. */
export const AGE_BANDS = ['0-3', '3-6', '6-11', '11-14'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** The registration's column for each band. */
export const BAND_COLUMN = {
  '0-3': 'children_0_3',
  '3-6': 'children_3_6',
  '6-11': 'children_6_11',
  '11-14': 'children_11_14',
} as const satisfies Record<AgeBand, string>;

/** Seats one party may take at most: a family, not a group booking. */
export const MAX_PARTY = 10;
export const NAME_MAX = 80;
const E = 'events.register.error.';

export type ChildrenByBand = Record<AgeBand, number>;

export interface Party {
  adults: number;
  children: ChildrenByBand;
  name: string;
  phone: string | null;
  email: string | null;
  locale: Locale;
}

export const partySeats = (p: Pick<Party, 'adults' | 'children'>) =>
  p.adults + AGE_BANDS.reduce((n, band) => n + p.children[band], 0);

/** The party as the columns a sign-up (event_registration) and an event's waiting family (wait_entry) share. */
export const partyColumns = (p: Party) => ({
  adults: p.adults,
  [BAND_COLUMN['0-3']]: p.children['0-3'],
  [BAND_COLUMN['3-6']]: p.children['3-6'],
  [BAND_COLUMN['6-11']]: p.children['6-11'],
  [BAND_COLUMN['11-14']]: p.children['11-14'],
  seats: partySeats(p),
  name: p.name,
  phone: p.phone,
  email: p.email,
  locale: p.locale,
});

/** A count typed in a form ("2", "٢", "") or sent in JSON (2): 0–99, '' is 0. */
const count = z
  .union([z.number(), z.string().max(20)], { error: `${E}countInvalid` })
  .nullish()
  .transform((v, ctx) => {
    const raw = typeof v === 'number' ? String(v) : toLatinDigits(v ?? '').trim();
    if (raw === '') return 0;
    if (!/^[0-9]{1,2}$/.test(raw)) {
      ctx.addIssue({ code: 'custom', message: `${E}countInvalid` });
      return 0;
    }
    return Number(raw);
  });

const children = z.object({ '0-3': count, '3-6': count, '6-11': count, '11-14': count });

/** The party as both the form and the API give it, before the rules across fields. */
export const partySchema = z
  .object({
    adults: count,
    children,
    name: personName(
      { required: `${E}nameRequired`, tooLong: `${E}nameTooLong`, invalid: `${E}nameInvalid` },
      NAME_MAX,
    ),
    phone: z
      .string()
      .max(100, { error: `${E}phoneInvalid` })
      .nullish(),
    email: z
      .string()
      .max(300, { error: `${E}emailInvalid` })
      .nullish(),
    locale: siteLocale(`${E}localeInvalid`),
  })
  // Runs even when a field failed (`when`), so the family sees every problem at once.
  .superRefine(
    (raw, ctx) => {
      const v = raw as Partial<Record<'adults' | 'phone' | 'email', unknown>> & { children?: Partial<ChildrenByBand> };
      const n = (x: unknown) => (typeof x === 'number' ? x : 0);
      const adults = n(v.adults);
      const seats = adults + AGE_BANDS.reduce((sum, band) => sum + n(v.children?.[band]), 0);
      if (seats === 0) ctx.addIssue({ code: 'custom', path: ['adults'], message: `${E}partyEmpty` });
      else if (adults === 0) ctx.addIssue({ code: 'custom', path: ['adults'], message: `${E}adultRequired` });
      else if (seats > MAX_PARTY) ctx.addIssue({ code: 'custom', path: ['adults'], message: `${E}partyTooLarge` });
      const { phone, email, phoneRaw, emailRaw } = contactOf(v);
      if (phoneRaw && emailRaw) ctx.addIssue({ code: 'custom', path: ['phone'], message: `${E}oneContact` });
      else if (!phoneRaw && !emailRaw)
        ctx.addIssue({ code: 'custom', path: ['phone'], message: `${E}contactRequired` });
      else if (phoneRaw && !phone) ctx.addIssue({ code: 'custom', path: ['phone'], message: `${E}phoneInvalid` });
      // The code goes by SMS: a landline cannot receive it.
      else if (phone && !smsRecipientOf(phone))
        ctx.addIssue({ code: 'custom', path: ['phone'], message: `${E}mobileRequired` });
      else if (emailRaw && !email) ctx.addIssue({ code: 'custom', path: ['email'], message: `${E}emailInvalid` });
    },
    { when: () => true },
  )
  .transform((v): Party => {
    const { phone, email } = contactOf(v);
    const children = v.children as ChildrenByBand;
    return { adults: v.adults, children, name: v.name, phone: phone ?? null, email: email ?? null, locale: v.locale };
  });

/** The contact as typed and normalised (phone in E.164, email lower-cased). */
function contactOf(v: { phone?: unknown; email?: unknown }) {
  const phoneRaw = toLatinDigits(typeof v.phone === 'string' ? v.phone : '').trim();
  const emailRaw = (typeof v.email === 'string' ? v.email : '').trim();
  return {
    phoneRaw,
    emailRaw,
    phone: phoneRaw ? normalizePhone(phoneRaw) : undefined,
    email: emailRaw ? normalizeEmail(emailRaw) : undefined,
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string> };

export const PARTY_FIELD_ORDER = ['adults', 'children', 'name', 'phone', 'email', 'locale'] as const;

function parse(input: unknown): Parsed<Party> {
  const result = partySchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, fields: Object.fromEntries(issueKeys(result.error.issues, E, PARTY_FIELD_ORDER)) };
}

/** The JSON API's body: `children` is a list of age bands, one per child. */
export function parsePartyJson(body: Record<string, unknown>): Parsed<Party> {
  const list = body.children ?? [];
  if (!Array.isArray(list) || list.length > 99 || list.some((b) => !AGE_BANDS.includes(b as AgeBand)))
    return { ok: false, fields: { children: `${E}childrenInvalid` } };
  const byBand = Object.fromEntries(AGE_BANDS.map((b) => [b, list.filter((x) => x === b).length]));
  return parse({ ...body, children: byBand });
}

/** The HTML form's fields: one count per band (`children_0_3`…). */
export function parsePartyForm(form: Record<string, string>): Parsed<Party> {
  const byBand = Object.fromEntries(AGE_BANDS.map((b) => [b, form[BAND_COLUMN[b]] ?? '']));
  return parse({ ...form, children: byBand });
}
