// The About page's sections (issue #14): the content page's texts, with the projects' dates read
// from the configuration (projectDates) and written in the reader's language.
import { CONTENT_PAGES, sectionKeys } from '#/features/content/content-pages.ts';
import { formatLongDate } from '#/lib/format.ts';
import type { Locale } from '#/lib/locales.ts';
import { projectDates } from './comune.ts';
import type { NoticeSection } from './privacy-notice.ts';

export function aboutPage(locale: Locale): NoticeSection[] {
  const page = CONTENT_PAGES.find((p) => p.key === 'about')!;
  const { startedOn, endsOn } = projectDates();
  const day = (iso: string) => formatLongDate(new Date(`${iso}T12:00:00Z`), locale);
  const dates = { key: 'comune.about.dates', values: { started: day(startedOn), ends: day(endsOn) } };
  return page.sections.map((section) => {
    const keys = sectionKeys(page, section);
    const paragraphs = keys.paragraphs.map((key) => ({ key }));
    return {
      id: section.id,
      title: keys.title,
      paragraphs: section.id === 'what' ? [...paragraphs, dates] : paragraphs,
      ...(keys.items.length > 0 ? { items: keys.items.map((key) => ({ key })) } : {}),
    };
  });
}
