// The rating component of the Designers Italia "modello comuni" ("Valuta questo servizio"): its
// flows, its follow-up answers by score, and the state of its steps as the query of /{locale}/valuta
// carries it. Nothing here is personal: a page path, a flow, a desk slug, a score, an answer. Pure.
import { isSlug } from '#/lib/paths.ts';

/** "page": "Quanto sono chiare le informazioni su questa pagina?"; the others end a service. */
export const RATING_FLOWS = ['page', 'booking', 'pledge', 'volunteer', 'event'] as const;
export type RatingFlow = (typeof RATING_FLOWS)[number];

/** The model's follow-up options (cmp-rating): 4–5 stars ask what was liked, 1–3 what was hard. */
export const POSITIVE_ANSWERS = ['clear', 'complete', 'progress', 'noProblems', 'other'] as const;
export const NEGATIVE_ANSWERS = ['unclear', 'incomplete', 'lost', 'problems', 'other'] as const;
export type RatingAnswer = (typeof POSITIVE_ANSWERS)[number] | (typeof NEGATIVE_ANSWERS)[number];

/** The model's limit on the comment ("Inserire massimo 200 caratteri"). */
export const COMMENT_MAX = 200;

export const isPositive = (score: number) => score > 3;

export function answersFor(score: number): readonly RatingAnswer[] {
  return isPositive(score) ? POSITIVE_ANSWERS : NEGATIVE_ANSWERS;
}

/** A page of the site without its locale: "/" or "/sportelli/centro-qubi". */
export function isRatedPage(value: string): boolean {
  return value.length <= 200 && /^\/([a-z0-9-]+(\/[a-z0-9.-]+)*)?$/.test(value);
}

export function parseScore(value: unknown): number | undefined {
  return typeof value === 'string' && /^[1-5]$/.test(value) ? Number(value) : undefined;
}

/** Where the rating is at, read from the query of /{locale}/valuta; undefined when it is not ours. */
export interface RatingState {
  page: string;
  flow: RatingFlow;
  desk: string | null;
  score?: number;
  answer?: RatingAnswer;
  done: boolean;
}

export function readRatingState(params: URLSearchParams): RatingState | undefined {
  const page = params.get('pagina') ?? '';
  const flow = (params.get('flusso') ?? 'page') as RatingFlow;
  const desk = params.get('sportello') || null;
  if (!isRatedPage(page) || !RATING_FLOWS.includes(flow) || (desk !== null && !isSlug(desk))) return undefined;
  const state: RatingState = { page, flow, desk, done: params.get('esito') === 'grazie' };
  if (state.done) return state;
  const voto = params.get('voto');
  if (voto === null) return state;
  const score = parseScore(voto);
  if (score === undefined) return undefined;
  state.score = score;
  const risposta = params.get('risposta');
  if (risposta === null) return state;
  if (!(answersFor(score) as readonly string[]).includes(risposta)) return undefined;
  state.answer = risposta as RatingAnswer;
  return state;
}

/** The query of /{locale}/valuta for a state (what the next step's GET reads). */
export function ratingQuery(state: Omit<RatingState, 'done'> & { done?: boolean }): Record<string, string | undefined> {
  return {
    pagina: state.page,
    flusso: state.flow === 'page' ? undefined : state.flow,
    sportello: state.desk ?? undefined,
    voto: state.done || state.score === undefined ? undefined : String(state.score),
    risposta: state.done ? undefined : state.answer,
    esito: state.done ? 'grazie' : undefined,
  };
}

/** The page a rating is about, from the address the visitor reads: its locale taken off. */
export function ratedPageOf(path: string): string {
  const rest = path.replace(/^\/[a-z]{2}(?=\/|$)/, '');
  return rest === '' ? '/' : rest;
}
