// What /{locale}/valuta shows: the step the query says the rating is at (stars again after a
// refusal, the follow-up question of the score's side, the comment, or the thanks), with the
// message and the comment a refused POST kept in the sealed draft, or the wait of the limit.
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import { RATING_FORM, RATING_FIELDS } from './actions.ts';
import { answersFor, isPositive, readRatingState, type RatingAnswer, type RatingState } from './rating-vocabulary.ts';

type Field = (typeof RATING_FIELDS)[number];
export type RatingStep = 'score' | 'answer' | 'comment' | 'thanks' | 'limited';

export interface RatingView {
  state: RatingState;
  step: RatingStep;
  side: 'positive' | 'negative';
  answers: readonly RatingAnswer[];
  errors: Partial<Record<Field, string>>;
  summary: { href: string; text: string }[];
  comment: string;
  retryAfterSeconds: number;
  pageTitle: string;
}

const FIELD_IDS: Record<Field, string> = { score: 'score-5', answer: 'answer-0', comment: 'comment' };

export async function ratingView(
  astro: Pick<AstroGlobal, 'cookies' | 'response' | 'redirect' | 'url'>,
  t: Translate,
): Promise<RatingView | undefined> {
  const state = readRatingState(astro.url.searchParams);
  if (!state) return undefined;
  const kept = await keptFormInput(astro, RATING_FORM.flow, RATING_FORM.scope);
  const errors = kept ? messageKeys<Field>(kept.errors) : {};
  const retryAfterSeconds = kept?.retryAfterSeconds ?? 0;
  const step: RatingStep = state.done
    ? 'thanks'
    : retryAfterSeconds > 0
      ? 'limited'
      : state.score === undefined
        ? 'score'
        : state.answer === undefined
          ? 'answer'
          : 'comment';
  const summary = Object.entries(errors).map(([field, key]) => ({
    href: `#${FIELD_IDS[field as Field]}`,
    text: t(key!),
  }));
  const title = t('rating.pageTitle');
  const comment = kept?.form.get('comment');
  return {
    state,
    step,
    side: isPositive(state.score ?? 5) ? 'positive' : 'negative',
    answers: answersFor(state.score ?? 5),
    errors,
    summary,
    comment: typeof comment === 'string' ? comment : '',
    retryAfterSeconds,
    pageTitle:
      step === 'limited' ? t('booking.limit.title') : summary.length > 0 ? t('booking.errorTitle', { title }) : title,
  };
}
