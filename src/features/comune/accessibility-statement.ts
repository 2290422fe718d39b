// The accessibility statement per the AgID model (issue #14): the sections of the content page,
// then the statement on form.agid.gov.it (ACCESSIBILITY_STATEMENT_URL), the date of its last
// review (ACCESSIBILITY_REVIEWED_ON), the feedback mechanism with its 30-day reply and the
// enforcement procedure (the Difensore civico per il digitale).
import type { Locale } from '#/lib/locales.ts';
import { formatLongDate } from '#/lib/format.ts';
import { accessibilityReviewedOn, accessibilityStatementUrl } from './comune.ts';
import type { NoticeSection } from './privacy-notice.ts';

export function accessibilityStatement(locale: Locale): NoticeSection[] {
  const reviewed = formatLongDate(new Date(`${accessibilityReviewedOn()}T12:00:00Z`), locale);
  return [
    { id: 'commitment', title: 'accessibility.commitment.title', paragraphs: [{ key: 'accessibility.commitment.p1' }] },
    { id: 'status', title: 'accessibility.status.title', paragraphs: [{ key: 'accessibility.status.p1' }] },
    {
      id: 'how',
      title: 'accessibility.how.title',
      paragraphs: [{ key: 'accessibility.how.p1' }],
      items: [1, 2, 3, 4, 5].map((n) => ({ key: `accessibility.how.li${n}` })),
    },
    {
      id: 'statement',
      title: 'comune.a11y.statement.title',
      paragraphs: [{ key: 'comune.a11y.statement.p1', values: { date: reviewed } }],
      link: { href: accessibilityStatementUrl(), key: 'comune.a11y.statement.link' },
    },
    {
      id: 'segnalazione',
      title: 'accessibility.feedback.title',
      paragraphs: [{ key: 'accessibility.feedback.p1' }],
    },
    {
      id: 'enforcement',
      title: 'comune.a11y.enforcement.title',
      paragraphs: [{ key: 'accessibility.feedback.p2' }],
      link: { href: 'https://www.agid.gov.it/', key: 'comune.a11y.enforcement.link' },
    },
  ];
}
