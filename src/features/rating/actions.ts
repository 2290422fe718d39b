// The rating component's one form action, step by step without JavaScript: the stars (posted from
// any page, or from the end of a service), then the model's follow-up question by score, then the
// optional comment. Each step's state is the query of /{locale}/valuta (ratingQuery: page, flow,
// desk, score, answer: nothing personal); only the last step writes, one row, counted per client
// address. A comment is never logged and never kept in a draft beyond the GET that shows its error.
import { z } from 'astro/zod';
import { ratingPath } from '#/lib/paths.ts';
import { badRequest, defineFormAction, FormRefused } from '#/server/actions/form-action.ts';
import { clientIp } from '#/server/http/request-guard.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { hitRateLimits, limitKey } from '#/server/security/rate-limit.ts';
import { freeNote, optionalField } from '#/lib/validation.ts';
import { answersFor, COMMENT_MAX, parseScore, ratingQuery, readRatingState } from './rating-vocabulary.ts';
import { insertRating } from './ratings.ts';

/** Where a refused step's comment and message wait for the GET of /{locale}/valuta. */
export const RATING_FORM = { flow: 'rating', scope: 'valuta' } as const;
export const RATING_FIELDS = ['score', 'answer', 'comment'] as const;

/** Ratings a client address may send per hour: a family rates a handful of pages, a script more. */
const RATINGS_PER_HOUR = 20;

export const rating = {
  rate: defineFormAction({
    input: z.object({
      ratingStep: z.enum(['score', 'answer', 'comment']),
      score: optionalField(10),
      answer: optionalField(40),
      comment: freeNote(
        { tooLong: 'rating.error.commentTooLong', invalid: 'rating.error.commentInvalid' },
        COMMENT_MAX,
      ),
    }),
    slot: RATING_FORM,
    messages: 'rating.error.',
    fields: RATING_FIELDS,
    handler: async ({ ratingStep: step, score, answer, comment }, context) => {
      const locale = context.locals.locale;
      const state = readRatingState(context.url.searchParams);
      // The state comes from our own links and forms: anything else was made by hand.
      if (!state || state.done) throw badRequest();
      const here = ratingPath(locale, ratingQuery(state));
      if (step === 'score') {
        const given = parseScore(score);
        if (given === undefined)
          throw new FormRefused({
            errors: { score: 'rating.error.score' },
            location: ratingPath(locale, ratingQuery({ ...state, score: undefined, answer: undefined })),
          });
        return { location: ratingPath(locale, ratingQuery({ ...state, score: given, answer: undefined })) };
      }
      if (state.score === undefined) throw badRequest();
      if (step === 'answer') {
        if (!(answersFor(state.score) as readonly string[]).includes(answer))
          throw new FormRefused({ errors: { answer: 'rating.error.answer' }, location: here });
        return {
          location: ratingPath(locale, ratingQuery({ ...state, answer: answer as typeof state.answer })),
        };
      }
      const db = await getDb();
      const secret = await getServerSecret(db);
      const limit = await hitRateLimits(db, [
        {
          key: limitKey('rating:ip', clientIp(context), secret),
          rule: { limit: RATINGS_PER_HOUR, windowSeconds: 3600 },
        },
      ]);
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds, location: here });
      await insertRating(db, {
        page: state.page,
        locale,
        flow: state.flow,
        deskSlug: state.desk,
        score: state.score,
        answer: state.answer ?? null,
        comment,
      });
      return { location: ratingPath(locale, ratingQuery({ ...state, done: true })) };
    },
  }),
};
