// The emails about a volunteer sign-up, rendered at send time from the outbox payload: the link that
// confirms the address (double opt-in), the welcome once confirmed (or the notice that the details were
// updated), and the notice to the coordinators of each chosen municipio. Pure.
//
// Every email to a volunteer carries the link that withdraws the sign-up and deletes the data.
// The coordinators' notice is in Italian and names no one: no name, email or phone of the volunteer,
// only the municipio and the skills; the coordinators find the person in the staff area.
import { volunteerPath } from '#/lib/paths.ts';
import type { VOLUNTEER_SKILLS } from './vocabulary.ts';
import { getTranslator, type Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { siteUrl, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';

export const VOLUNTEER_MESSAGE_KINDS = [
  'volunteer_confirm_address',
  'volunteer_welcome',
  'volunteer_coordinator_notice',
] as const;
export type VolunteerMessageKind = (typeof VOLUNTEER_MESSAGE_KINDS)[number];
type VolunteerSkill = (typeof VOLUNTEER_SKILLS)[number];

export function isVolunteerMessageKind(value: unknown): value is VolunteerMessageKind {
  return typeof value === 'string' && (VOLUNTEER_MESSAGE_KINDS as readonly string[]).includes(value);
}

/** How long a confirmation link stays valid (see server/volunteers.ts); the emails say so. */
export const CONFIRM_LINK_DAYS = 7;

/** A message with its payload, as volunteers.ts stores it in the outbox row. */
export type VolunteerMessage =
  | { kind: 'volunteer_confirm_address'; confirmToken: string; withdrawToken: string }
  /**
   * Stored as a volunteer_confirm_address row with `change: true`: a confirmed volunteer's new
   * details, applied only from this link (volunteers.ts). Its own kind here, so that the worker's
   * check for a first confirmation (an unconfirmed volunteer) does not drop it.
   */
  | { kind: 'volunteer_confirm_change'; confirmToken: string; withdrawToken: string }
  | { kind: 'volunteer_welcome'; withdrawToken: string; updated: boolean }
  | { kind: 'volunteer_coordinator_notice'; municipio: number; skills: string[] };

export interface VolunteerEmailInput {
  message: VolunteerMessage;
  /** The reader's language; the coordinators' notice is always in Italian. */
  locale: Locale;
  /** Public origin of the site, e.g. https://qubi.example.org */
  origin: string;
  /** The volunteer's name, for the greeting of their own emails only (never the coordinators'). */
  name?: string | null;
}

/** Reads a stored payload; throws on a malformed one (a bug, not a transient failure). */
export function parseVolunteerMessage(kind: VolunteerMessageKind, value: unknown): VolunteerMessage {
  const p = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  const token = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  switch (kind) {
    case 'volunteer_confirm_address':
      if (token(p?.confirmToken) && token(p.withdrawToken))
        return {
          kind: p.change === true ? 'volunteer_confirm_change' : kind,
          confirmToken: p.confirmToken,
          withdrawToken: p.withdrawToken,
        };
      break;
    case 'volunteer_welcome':
      if (token(p?.withdrawToken)) return { kind, withdrawToken: p.withdrawToken, updated: p.updated === true };
      break;
    case 'volunteer_coordinator_notice': {
      const municipio = Number(p?.municipio);
      if (
        Number.isInteger(municipio) &&
        municipio >= 1 &&
        Array.isArray(p?.skills) &&
        p.skills.every((s) => typeof s === 'string')
      ) {
        return { kind, municipio, skills: p.skills as string[] };
      }
      break;
    }
  }
  throw new Error('volunteer message payload is malformed');
}

/** The page that confirms the address (built by the volunteer pages). */
export function confirmVolunteerUrl(origin: string, locale: Locale, token: string): string {
  return siteUrl(origin, volunteerPath(locale, 'conferma', { token }));
}

/** The page that withdraws the sign-up and deletes the data (built by the volunteer pages). */
export function withdrawVolunteerUrl(origin: string, locale: Locale, token: string): string {
  return siteUrl(origin, volunteerPath(locale, 'ritira', { token }));
}

export function renderVolunteerEmail(input: VolunteerEmailInput): RenderedEmail {
  const { message } = input;
  if (message.kind === 'volunteer_coordinator_notice') return renderCoordinatorNotice(message);
  const { locale } = input;
  const t = getTranslator(locale);
  const withdraw = {
    text: t('email.volunteer.withdraw'),
    url: withdrawVolunteerUrl(input.origin, locale, message.withdrawToken),
  };
  const base = { name: input.name, footer: t('email.volunteer.footer'), footerLinks: [withdraw] };
  let content: EmailBody;
  let manageUrl: string | undefined;
  if (message.kind === 'volunteer_confirm_address') {
    manageUrl = confirmVolunteerUrl(input.origin, locale, message.confirmToken);
    content = {
      ...base,
      subject: t('email.volunteer.subject.confirmAddress'),
      intro: t('email.volunteer.intro.confirmAddress'),
      links: [{ text: t('email.volunteer.confirm'), url: manageUrl }],
      notes: [t('email.volunteer.confirmExpires', { days: String(CONFIRM_LINK_DAYS) })],
    };
  } else if (message.kind === 'volunteer_confirm_change') {
    manageUrl = confirmVolunteerUrl(input.origin, locale, message.confirmToken);
    content = {
      ...base,
      subject: t('email.volunteer.subject.confirmChange'),
      intro: t('email.volunteer.intro.confirmChange'),
      links: [{ text: t('email.volunteer.confirmChange'), url: manageUrl }],
      notes: [t('email.volunteer.confirmChangeExpires', { days: String(CONFIRM_LINK_DAYS) })],
    };
  } else if (message.updated) {
    content = {
      ...base,
      subject: t('email.volunteer.subject.updated'),
      intro: t('email.volunteer.intro.updated'),
      links: [],
      notes: [t('email.volunteer.next')],
    };
  } else {
    content = {
      ...base,
      subject: t('email.volunteer.subject.welcome'),
      intro: t('email.volunteer.intro.welcome'),
      links: [],
      notes: [t('email.volunteer.next')],
    };
  }
  return renderEmail(locale, content, { manageUrl });
}

function renderCoordinatorNotice(
  message: Extract<VolunteerMessage, { kind: 'volunteer_coordinator_notice' }>,
): RenderedEmail {
  const locale: Locale = 'it';
  const t = getTranslator(locale);
  const municipio = String(message.municipio);
  return renderEmail(locale, {
    subject: t('email.volunteer.subject.coordinatorNotice'),
    intro: t('email.volunteer.intro.coordinatorNotice', { municipio }),
    details: [
      { label: t('email.volunteer.label.municipio'), value: municipio, ltr: true },
      { label: t('email.volunteer.label.skills'), value: message.skills.map((s) => skillLabel(s, t)).join(', ') },
    ],
    notes: [t('email.volunteer.staffArea')],
    closing: t('email.volunteer.closingCoordinator'),
    footer: t('email.volunteer.footerCoordinator', { municipio }),
  });
}

// One literal t('…') per key, so the locale test sees every key this module uses.
function skillLabel(skill: string, t: Translate): string {
  switch (skill as VolunteerSkill) {
    case 'events':
      return t('email.volunteer.skill.events');
    case 'homework':
      return t('email.volunteer.skill.homework');
    case 'distribution':
      return t('email.volunteer.skill.distribution');
    case 'translation':
      return t('email.volunteer.skill.translation');
    case 'accompaniment':
      return t('email.volunteer.skill.accompaniment');
    case 'other':
      return t('email.volunteer.skill.other');
    default:
      // A skill added to the vocabulary but not here yet still reaches the coordinators.
      return skill;
  }
}
