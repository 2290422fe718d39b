// What every email of the site shares, so that each builder states only what differs: the reader
// greeted by name when there is one, the usual closing and footer unless the email has its own, and
// always the same signature; then one content rendered as the subject, the plain text and the HTML
// (email-layout.ts). Pure.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import {
  renderHtml,
  renderText,
  type Detail,
  type EmailContent,
  type Link,
  type RenderedEmail,
} from './email-layout.ts';

type SharedParts = 'greeting' | 'details' | 'links' | 'notes' | 'closing' | 'signature' | 'footer';

/** An email's own words; what it leaves out is the site's usual part (none, for details, links and notes). */
export interface EmailBody extends Omit<EmailContent, SharedParts> {
  /** The reader's first name for the greeting; none or blank greets without a name. */
  name?: string | null;
  details?: Detail[];
  links?: Link[];
  notes?: string[];
  closing?: string;
  footer?: string;
}

/** What travels with the message outside its body; an undefined one is left out of the result. */
export type EmailExtras = Pick<RenderedEmail, 'ics' | 'manageUrl'>;

export function renderEmail(locale: Locale, body: EmailBody, extras: EmailExtras = {}): RenderedEmail {
  const t = getTranslator(locale);
  const { name, ...own } = body;
  const content: EmailContent = {
    ...own,
    greeting: name?.trim() ? t('email.greeting', { name: name.trim() }) : t('email.greetingAnonymous'),
    details: own.details ?? [],
    links: own.links ?? [],
    notes: own.notes ?? [],
    closing: own.closing ?? t('email.closing'),
    signature: t('email.signature'),
    footer: own.footer ?? t('email.footer'),
  };
  return {
    subject: content.subject,
    text: renderText(content),
    html: renderHtml(content, locale),
    ...(extras.ics !== undefined ? { ics: extras.ics } : {}),
    ...(extras.manageUrl !== undefined ? { manageUrl: extras.manageUrl } : {}),
  };
}
