// Small helpers shared by the JSON endpoints.
import { DEFAULT_LOCALE, isLocale, type Locale } from '../locales.ts';

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  // Open data: any site may read it (no credentials are involved).
  headers.set('Access-Control-Allow-Origin', '*');
  return new Response(JSON.stringify(body), { ...init, headers });
}

export function apiError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return json({ error, ...extra }, { status });
}

/** ?locale= picks the language of texts; unknown values fall back to Italian. */
export function requestedLocale(url: URL): Locale {
  const value = url.searchParams.get('locale');
  return isLocale(value) ? value : DEFAULT_LOCALE;
}
