// The desks list's GET filter (no JavaScript): ?municipio=1…9, ?lingua=<ISO 639 code>,
// ?senzagradini=1. Anything else is ignored, so a mistyped address shows every desk.
import type { DeskFilter } from './desks.ts';

export const FILTER_PARAMS = { municipio: 'municipio', language: 'lingua', stepFree: 'senzagradini' } as const;

export function readDeskFilter(query: URLSearchParams): DeskFilter & { municipioId?: number } {
  const municipio = query.get(FILTER_PARAMS.municipio) ?? '';
  const language = query.get(FILTER_PARAMS.language) ?? '';
  const filter: DeskFilter = {};
  if (/^[1-9]$/.test(municipio)) filter.municipioId = Number(municipio);
  if (/^[a-z]{2,3}$/.test(language)) filter.language = language;
  if (query.get(FILTER_PARAMS.stepFree) === '1') filter.stepFree = true;
  return filter;
}
