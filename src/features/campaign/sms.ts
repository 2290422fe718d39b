// The SMS about a pledge: its reference, the collection window (day and time) and the drop-off
// point, with the short link to change it. Same rules as the booking's SMS (booking/sms.ts).
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { shortManageUrl, smsText, smsWhen } from '#/features/booking/sms.ts';
import type { PledgePayload } from './emails.ts';

export type PledgeSmsKind = 'pledge_confirmation' | 'pledge_reminder';

export interface PledgeSmsInput {
  kind: PledgeSmsKind;
  payload: PledgePayload;
  point: { name: string };
  locale: Locale;
  origin: string;
}

export function renderPledgeSms(input: PledgeSmsInput): string {
  const t = getTranslator(input.locale);
  const { payload, locale } = input;
  const main = t(`sms.pledge.${input.kind.replace('pledge_', '')}`, {
    reference: payload.reference,
    when: smsWhen(payload.start, locale),
    point: input.point.name,
  });
  const tail = payload.manageToken
    ? ` ${t('sms.pledge.manage', { link: shortManageUrl(input.origin, payload.manageToken) })}`
    : '';
  return smsText(`${main}${tail}`, locale);
}
