// What the staff home shows: the signed-in person's scope in words, and what they can do here —
// each item only when the policy (`can`) allows it on the objects in the person's scope.
import { smsUsageToday, type SmsUsage } from '#/server/sms/daily-limit.ts';
import { getConfig } from '#/server/config.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { StaffLocale } from '#/lib/locales.ts';
import { formatList } from '#/lib/format.ts';
import { staffPath } from '#/lib/paths.ts';
import type { Db } from '#/server/db/database.ts';
import type { StaffContext } from './guard.ts';
import { can, type Actor } from './policy.ts';
import { desksGoingFast, type FastDesk } from '#/features/agenda/fast-desks.ts';

export interface StaffHomeItem {
  href: string;
  title: string;
  text: string;
}

export interface StaffHomeView {
  /** "You work on Municipio 8 and Municipio 9." and the like. */
  scope: string;
  items: StaffHomeItem[];
  /** Today's SMS segments against SMS_DAILY_LIMIT: the page warns from 80 %. */
  smsUsage: SmsUsage;
  /** The person's desks whose places are going unusually fast, each with its agenda's address. */
  fastDesks: (FastDesk & { href: string })[];
}

export async function staffHomeView(
  db: Db,
  { actor, user }: StaffContext,
  locale: StaffLocale,
  t: Translate,
): Promise<StaffHomeView> {
  const [desks, organisation, smsUsage, fastDesks] = await Promise.all([
    db.selectFrom('desk').select(['id', 'name', 'municipio_id']).orderBy('municipio_id').orderBy('name').execute(),
    actor.organisationId === null
      ? undefined
      : db.selectFrom('organisation').select('name').where('id', '=', actor.organisationId).executeTakeFirst(),
    smsUsageToday(db, getConfig().smsDailyLimit),
    desksGoingFast(db, actor),
  ]);
  const list = (items: string[]) => formatList(items, locale);
  const municipiText = list([...actor.municipi].sort((a, b) => a - b).map((m) => t('staff.home.municipio', { n: m })));
  const myDesks = desks
    .filter((d) => can(actor, { kind: 'desk.agenda', desk: { id: d.id, municipioId: d.municipio_id } }))
    .map((d) => d.name);
  const texts = { municipiText, desksText: list(myDesks), organisation: organisation?.name };
  const items = [
    ...agendaItem(actor, myDesks.length > 0, texts.desksText, t),
    ...eventsItem(actor, texts, t),
    ...restItems(actor, t),
    {
      title: t('staff.nav.account'),
      text: user.totpEnabled ? t('staff.home.account.totpOn') : t('staff.home.account.totpOff'),
      page: 'account' as const,
    },
  ];
  return {
    scope: scopeText(actor, myDesks.length > 0, texts, t),
    items: items.map(({ page, ...item }) => ({ ...item, href: staffPath(locale, page) })),
    smsUsage,
    fastDesks: fastDesks.map((d) => ({ ...d, href: staffPath(locale, 'agenda', d.slug) })),
  };
}

interface ScopeTexts {
  municipiText: string;
  desksText: string;
  organisation: string | undefined;
}
type Item = Omit<StaffHomeItem, 'href'> & {
  page: 'agenda' | 'eventi' | 'raccolta' | 'volontari' | 'utenti' | 'gdpr' | 'account';
};

function scopeText(actor: Actor, hasDesks: boolean, texts: ScopeTexts, t: Translate): string {
  if (actor.role === 'admin') return t('staff.home.scope.all');
  if (actor.role === 'coordinator')
    return actor.municipi.length
      ? t('staff.home.scope.municipi', { list: texts.municipiText })
      : t('staff.home.scope.none');
  if (actor.role === 'desk_operator')
    return hasDesks ? t('staff.home.scope.desks', { list: texts.desksText }) : t('staff.home.scope.none');
  return texts.organisation
    ? t('staff.home.scope.organisation', { name: texts.organisation })
    : t('staff.home.scope.none');
}

function agendaItem(actor: Actor, hasDesks: boolean, desksText: string, t: Translate): Item[] {
  if (!hasDesks) return [];
  const text = actor.role === 'admin' ? t('staff.home.agenda.all') : t('staff.home.agenda.desks', { list: desksText });
  return [{ page: 'agenda', title: t('staff.nav.agenda'), text }];
}

function eventsItem(actor: Actor, texts: ScopeTexts, t: Translate): Item[] {
  const item = (text: string): Item[] => [{ page: 'eventi', title: t('staff.nav.events'), text }];
  if (actor.role === 'admin') return item(t('staff.home.events.admin'));
  if (
    actor.role === 'coordinator' &&
    actor.municipi.some((m) => can(actor, { kind: 'event.moderate', event: { municipioId: m } }))
  )
    return item(t('staff.home.events.coordinator', { list: texts.municipiText }));
  if (
    actor.role === 'partner_editor' &&
    texts.organisation &&
    can(actor, { kind: 'event.create', organisationId: actor.organisationId, municipioId: null })
  )
    return item(t('staff.home.events.partner', { name: texts.organisation }));
  return [];
}

/** Pledges, volunteers, accounts and GDPR requests, as the person's role and municipi allow. */
function restItems(actor: Actor, t: Translate): Item[] {
  const items: Item[] = [];
  // The pledges of the collection points in the coordinator's municipi (the campaign's items are a page further).
  if (
    actor.role === 'admin' ||
    actor.municipi.some((municipioId) => can(actor, { kind: 'pledges.manage', municipioId }))
  )
    items.push({ page: 'raccolta', title: t('staff.nav.pledges'), text: t('staff.home.pledges') });
  if (
    actor.role === 'admin' ||
    (actor.municipi.length > 0 && can(actor, { kind: 'volunteers.manage', municipi: actor.municipi }))
  )
    items.push({ page: 'volontari', title: t('staff.nav.volunteers'), text: t('staff.home.volunteers') });
  if (can(actor, { kind: 'users.manage' }))
    items.push({ page: 'utenti', title: t('staff.nav.users'), text: t('staff.home.users.admin') });
  else if (actor.role === 'coordinator' && actor.municipi.length > 0)
    items.push({ page: 'utenti', title: t('staff.nav.users'), text: t('staff.home.users.coordinator') });
  if (can(actor, { kind: 'gdpr' }))
    items.push({ page: 'gdpr', title: t('staff.nav.gdpr'), text: t('staff.home.gdpr') });
  return items;
}
