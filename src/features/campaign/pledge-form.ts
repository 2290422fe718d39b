// Pledges to the "zaino sospeso" campaign as the HTML form and the JSON API send them: addresses,
// reading and checking the fields (pure; the quantities themselves are enforced by the database in
// src/features/campaign/create-pledge.ts). Error messages are locale keys ("pledge.error.*").
import { z } from 'astro/zod';
import { LOCALES, type Locale } from '#/lib/locales.ts';
import { normalizeEmail, normalizePhone, toLatinDigits } from '#/lib/contact.ts';
import { smsRecipientOf } from '#/server/mail/outbox.ts';
import { optionalField, personName } from '#/lib/validation.ts';
import type { PledgeLine } from './pledge-quantities.ts';

export const CAMPAIGN_SLUG = 'zaino-sospeso';
export const PLEDGE_NAME_MAX = 80;
/** The database allows at most 1000 of an item in one pledge. */
export const QUANTITY_MAX = 1000;

const optionalText = z
  .string()
  .max(10000)
  .optional()
  .transform((v) => (v ?? '').trim());

/** Name, one contact, language and the privacy notice: the same rules for the form and the API. */
export const pledgeContactSchema = z
  .object({
    name: personName(
      {
        required: 'pledge.error.nameRequired',
        tooLong: 'pledge.error.nameTooLong',
        invalid: 'pledge.error.nameInvalid',
      },
      PLEDGE_NAME_MAX,
    ),
    email: optionalText.refine((v) => !v || normalizeEmail(v) !== undefined, {
      error: 'pledge.error.emailInvalid',
    }),
    phone: optionalText.refine((v) => !v || normalizePhone(v) !== undefined, { error: 'pledge.error.phoneInvalid' }),
    locale: z.enum(LOCALES, { error: 'pledge.error.localeInvalid' }),
    // Public task (GDPR art. 6(1)(e)), not consent (issue #14): nothing to tick; an old client's
    // field is still a boolean.
    privacyAccepted: z.boolean({ error: 'pledge.error.privacyRequired' }).optional(),
  })
  // Runs even when other fields failed, so every problem is reported at once.
  .refine((v) => Boolean(v.email || v.phone), {
    path: ['phone'],
    error: 'pledge.error.contactRequired',
    when: (payload) => {
      const v = payload.value as { email?: unknown; phone?: unknown } | undefined;
      return typeof v === 'object' && v !== null && !String(v.email ?? '').trim() && !String(v.phone ?? '').trim();
    },
  })
  // The code that confirms a pledge goes by SMS to a mobile or by email: a landline alone cannot receive it.
  .refine((v) => Boolean(v.email?.trim()) || smsRecipientOf(normalizePhone(v.phone ?? '')) !== undefined, {
    path: ['phone'],
    error: 'pledge.error.mobileOrEmail',
    when: (payload) => {
      const v = payload.value as { email?: unknown; phone?: unknown } | undefined;
      if (typeof v !== 'object' || v === null || String(v.email ?? '').trim()) return false;
      return normalizePhone(String(v.phone ?? '')) !== undefined;
    },
  })
  .transform((value) => ({
    name: value.name,
    email: value.email ? normalizeEmail(value.email)! : null,
    phone: value.phone ? normalizePhone(value.phone)! : null,
    locale: value.locale,
  }));

export type PledgeContact = z.output<typeof pledgeContactSchema>;

/** Field → first message key; anything zod words itself becomes "pledge.error.<field>Invalid". */
export function contactErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= issue.message.startsWith('pledge.') ? issue.message : `pledge.error.${field}Invalid`;
  }
  return out;
}

/**
 * A quantity as typed in a number field: '' is 0; Arabic-Indic digits are read as 0-9;
 * undefined when it is not a whole number from 0 to QUANTITY_MAX.
 */
export function parseQuantity(raw: string): number | undefined {
  const value = toLatinDigits(raw.trim());
  if (value === '') return 0;
  if (!/^\d{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= QUANTITY_MAX ? n : undefined;
}

/** The form field of an item's quantity. */
export const quantityField = (itemSlug: string) => `qty-${itemSlug}`;

/** What the pledge and manage forms send, as typed (validation is separate). */
export interface PledgeFormValues {
  quantities: Record<string, string>;
  window: string;
  name: string;
  email: string;
  phone: string;
  privacyAccepted: boolean;
}

const MAX_TYPED = 1000;
/** A form as sent (FormData), or as its action's schema read it (field → string). */
type SentForm = FormData | Readonly<Record<string, unknown>>;
const field = (form: SentForm, name: string) => {
  const v = form instanceof FormData ? form.get(name) : form[name];
  return typeof v === 'string' ? v.slice(0, MAX_TYPED) : '';
};

/**
 * The pledge and manage forms' fields as their actions receive them: every field a string
 * (the item quantities are named after the items, qty-<slug>, so the list is open). The rules
 * are checkPledgeForm's and checkQuantities', which need the campaign's numbers of the moment.
 */
export const pledgeFormSchema = z
  .object({
    window: optionalField(20),
    name: optionalField(MAX_TYPED),
    email: optionalField(MAX_TYPED),
    phone: optionalField(MAX_TYPED),
    privacyAccepted: optionalField(10),
    formStartedAt: optionalField(200),
    submissionKey: optionalField(100),
    azione: optionalField(20),
  })
  .catchall(z.string().max(MAX_TYPED));

export function readPledgeForm(form: SentForm, itemSlugs: readonly string[]): PledgeFormValues {
  return {
    quantities: Object.fromEntries(itemSlugs.map((slug) => [slug, field(form, quantityField(slug)).slice(0, 20)])),
    window: field(form, 'window').slice(0, 20),
    name: field(form, 'name'),
    email: field(form, 'email'),
    phone: toLatinDigits(field(form, 'phone')),
    privacyAccepted: field(form, 'privacyAccepted') === 'yes',
  };
}

export function emptyPledgeForm(): PledgeFormValues {
  return { quantities: {}, window: '', name: '', email: '', phone: '', privacyAccepted: false };
}

/** A message key with the values it needs, for the error summary and the field. */
export interface FieldMessage {
  key: string;
  values?: Record<string, string | number>;
}

/** Field id → message, in the order the fields appear on the page. */
export type PledgeFormErrors = Map<string, FieldMessage>;

export interface ItemAvailability {
  slug: string;
  /** The item's name in the reader's language, for the messages. */
  label: string;
  /** How many may be chosen: still needed (plus what this pledge already holds, when editing), within one pledge's share. */
  max: number;
  /** True when `max` is one pledge's share of the item rather than what is still needed. */
  limitedByShare?: boolean;
}

/**
 * Checks the items part of a form: each typed quantity is a whole number within what is still
 * needed, and at least one is above zero. Errors are keyed by the field id (qty-<slug>).
 */
export function checkQuantities(
  values: PledgeFormValues,
  items: readonly ItemAvailability[],
): { errors: PledgeFormErrors; lines: PledgeLine[] } {
  const errors: PledgeFormErrors = new Map();
  const lines: PledgeLine[] = [];
  for (const item of items) {
    const typed = values.quantities[item.slug] ?? '';
    const quantity = parseQuantity(typed);
    const id = quantityField(item.slug);
    if (quantity === undefined) errors.set(id, { key: 'pledge.error.quantityInvalid', values: { item: item.label } });
    else if (quantity > item.max)
      errors.set(
        id,
        item.max === 0
          ? { key: 'pledge.error.itemComplete', values: { item: item.label } }
          : {
              key: item.limitedByShare ? 'pledge.error.quantityOverShare' : 'pledge.error.quantityTooMany',
              values: { item: item.label, max: item.max },
            },
      );
    else if (quantity > 0) lines.push({ item: item.slug, quantity });
  }
  const first = items.find((i) => i.max > 0);
  if (errors.size === 0 && lines.length === 0 && first)
    errors.set(quantityField(first.slug), { key: 'pledge.error.itemsRequired' });
  return { errors, lines };
}

/**
 * The whole pledge form: quantities, one of the offered collection windows, name and contact.
 * `valid` is set only when nothing is wrong.
 */
export function checkPledgeForm(
  values: PledgeFormValues,
  items: readonly ItemAvailability[],
  windowIds: readonly number[],
  locale: Locale,
): { errors: PledgeFormErrors; valid?: { lines: PledgeLine[]; windowId: number; contact: PledgeContact } } {
  const { errors, lines } = checkQuantities(values, items);
  const windowId = /^\d{1,9}$/.test(values.window) ? Number(values.window) : NaN;
  if (!windowIds.includes(windowId))
    errors.set('window', { key: values.window ? 'pledge.error.windowGone' : 'pledge.error.windowRequired' });
  const contact = pledgeContactSchema.safeParse({
    name: values.name,
    email: values.email,
    phone: values.phone,
    locale,
    privacyAccepted: values.privacyAccepted,
  });
  if (!contact.success) {
    const found = contactErrors(contact.error);
    for (const f of ['name', 'phone', 'email', 'privacyAccepted']) if (found[f]) errors.set(f, { key: found[f]! });
  }
  if (errors.size > 0 || !contact.success) return { errors };
  return { errors, valid: { lines, windowId, contact: contact.data } };
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/pledges

export interface PledgeRequest {
  campaign: string;
  lines: PledgeLine[];
  dropOffPoint: string;
  collectionWindow: number;
  contact: PledgeContact;
  submissionKey: string | null;
}

export type ParsedRequest<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string> };

const isSlug = (value: unknown): value is string => typeof value === 'string' && /^[a-z0-9-]{1,80}$/.test(value);
// Printable ASCII, at most the 64 characters the database allows: a UUID or any client-made key.
const SUBMISSION_KEY = /^[\x21-\x7E]{1,64}$/;
export const MAX_LINES = 50;

/** Checks everything that needs no database; every problem at once, keyed by API field. */
export function parsePledgeRequest(body: Record<string, unknown>): ParsedRequest<PledgeRequest> {
  const fields: Record<string, string> = {};
  const contact = pledgeContactSchema.safeParse({
    name: body.name,
    email: body.email ?? undefined,
    phone: body.phone ?? undefined,
    locale: body.locale,
    privacyAccepted: body.privacyAccepted,
  });
  if (!contact.success) Object.assign(fields, contactErrors(contact.error));

  if (!isSlug(body.campaign)) fields.campaign = 'pledge.error.campaignInvalid';
  const lines: PledgeLine[] = [];
  if (!Array.isArray(body.items) || body.items.length === 0) {
    fields.items = 'pledge.error.itemsRequired';
  } else if (body.items.length > MAX_LINES) {
    fields.items = 'pledge.error.itemsInvalid';
  } else {
    for (const line of body.items as unknown[]) {
      const l = line as { item?: unknown; quantity?: unknown } | null;
      if (
        typeof l !== 'object' ||
        l === null ||
        Array.isArray(l) ||
        !isSlug(l.item) ||
        typeof l.quantity !== 'number' ||
        !Number.isInteger(l.quantity) ||
        l.quantity < 1 ||
        l.quantity > QUANTITY_MAX
      ) {
        fields.items = 'pledge.error.itemsInvalid';
        break;
      }
      lines.push({ item: l.item, quantity: l.quantity });
    }
  }
  if (!isSlug(body.dropOffPoint)) fields.dropOffPoint = 'pledge.error.pointInvalid';
  const windowId = body.collectionWindow;
  if (typeof windowId !== 'number' || !Number.isInteger(windowId) || windowId < 1 || windowId > 2147483647)
    fields.collectionWindow = 'pledge.error.windowInvalid';
  const key = body.submissionKey ?? null;
  if (key !== null && !(typeof key === 'string' && SUBMISSION_KEY.test(key)))
    fields.submissionKey = 'pledge.error.submissionKeyInvalid';

  if (Object.keys(fields).length > 0 || !contact.success) return { ok: false, fields };
  return {
    ok: true,
    value: {
      campaign: body.campaign as string,
      lines,
      dropOffPoint: body.dropOffPoint as string,
      collectionWindow: windowId as number,
      contact: contact.data,
      submissionKey: key as string | null,
    },
  };
}
