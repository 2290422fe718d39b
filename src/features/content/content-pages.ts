// The prerendered content pages and the shape of their text. Every text lives in the locale
// files under "<page>.<section>.title|p1…|li1…", so the key list can be derived (and tested).
import type { Section } from '#/lib/paths.ts';

/** The topics the site's pages are about, from the model's vocabulary (C.SI.1.5). */
export const TOPICS = ['socialAssistance', 'socialInclusion', 'education', 'freeTime', 'associations'] as const;
export type Topic = (typeof TOPICS)[number];

export interface ContentSection {
  id: string;
  paragraphs: number;
  items?: number;
  /**
   * The model's `data-element` markers the Designers Italia validator reads (issue #14): on the
   * section's title and on each of its paragraphs.
   */
  elements?: { title?: string; body?: string };
}
export interface ContentPage {
  section: Extract<Section, 'about' | 'privacy' | 'accessibility' | 'legal' | 'faq' | 'topics'>;
  key: string;
  sections: ContentSection[];
  /**
   * Rendered on demand by a page of its own, not prerendered: the privacy notice reads its
   * retention periods from the configuration (src/pages/[locale]/privacy.astro), the
   * accessibility statement its AgID link and review date, and has a form (accessibilita.astro);
   * the About page its project dates (chi-siamo.astro).
   */
  live?: true;
}

export const CONTENT_PAGES: ContentPage[] = [
  {
    section: 'about',
    key: 'about',
    // Live: its project dates come from the configuration (features/comune/about-page.ts).
    live: true,
    sections: [
      { id: 'what', paragraphs: 1 },
      { id: 'networks', paragraphs: 2 },
      { id: 'governance', paragraphs: 1, items: 3 },
      { id: 'socialWorker', paragraphs: 2, items: 4 },
      { id: 'actions', paragraphs: 1, items: 3 },
      { id: 'volunteer', paragraphs: 2 },
      { id: 'funding', paragraphs: 1 },
    ],
  },
  {
    section: 'privacy',
    key: 'privacy',
    live: true,
    sections: [
      { id: 'controller', paragraphs: 1 },
      { id: 'what', paragraphs: 1, items: 4 },
      { id: 'why', paragraphs: 1 },
      { id: 'howLong', paragraphs: 1, items: 3 },
      { id: 'noTracking', paragraphs: 1 },
      { id: 'rights', paragraphs: 2 },
    ],
  },
  {
    section: 'accessibility',
    key: 'accessibility',
    live: true,
    sections: [
      { id: 'commitment', paragraphs: 1 },
      { id: 'status', paragraphs: 1 },
      { id: 'how', paragraphs: 1, items: 5 },
      { id: 'feedback', paragraphs: 2 },
    ],
  },
  {
    section: 'legal',
    key: 'legal',
    sections: [
      // The model's licence wording, word for word in Italian (C.SI.3.4).
      { id: 'licence', paragraphs: 2, elements: { title: 'legal-notes-section', body: 'legal-notes-body' } },
      { id: 'sample', paragraphs: 1 },
      { id: 'links', paragraphs: 1 },
    ],
  },
  {
    section: 'faq',
    key: 'faq',
    sections: [
      { id: 'q1', paragraphs: 1 },
      { id: 'q2', paragraphs: 1 },
      { id: 'q3', paragraphs: 1 },
      { id: 'q4', paragraphs: 1 },
      { id: 'q5', paragraphs: 1 },
      { id: 'q6', paragraphs: 1 },
    ],
  },
  {
    // The model's topics (C.SI.1.5): each title is a term of its controlled vocabulary in Italian;
    // the service pages link their topics here (features/comune/service-page.ts).
    section: 'topics',
    key: 'topics',
    sections: TOPICS.map((id) => ({ id, paragraphs: 1, elements: { title: 'topic-element' } })),
  },
];

export function sectionKeys(
  page: ContentPage,
  section: ContentSection,
): { title: string; paragraphs: string[]; items: string[] } {
  const base = `${page.key}.${section.id}`;
  return {
    title: `${base}.title`,
    paragraphs: Array.from({ length: section.paragraphs }, (_, i) => `${base}.p${i + 1}`),
    items: Array.from({ length: section.items ?? 0 }, (_, i) => `${base}.li${i + 1}`),
  };
}

/** Every key the content pages use, for the locale completeness test. */
export function contentPageKeys(): string[] {
  return CONTENT_PAGES.flatMap((page) => [
    `${page.key}.title`,
    `${page.key}.lead`,
    ...page.sections.flatMap((s) => {
      const k = sectionKeys(page, s);
      return [k.title, ...k.paragraphs, ...k.items];
    }),
  ]);
}
