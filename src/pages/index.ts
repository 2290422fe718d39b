import type { APIRoute } from 'astro';
import { negotiateLocale } from '#/lib/locales.ts';
import { pagePath } from '#/lib/paths.ts';

/** "/" sends each visitor to the home page in the best language their browser asks for. */
export const GET: APIRoute = ({ request }) =>
  new Response(null, {
    status: 302,
    headers: {
      Location: pagePath(negotiateLocale(request.headers.get('accept-language'))),
      Vary: 'Accept-Language',
      'Cache-Control': 'no-store',
    },
  });
