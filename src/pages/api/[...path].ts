// Any address under /api that no endpoint serves: a JSON 404, as the API's clients read JSON (the
// site's HTML 404 page would be of no use to them). Every method ends here, so no method is a 405.
import type { APIRoute } from 'astro';
import { apiNotFound } from '#/server/http/http-errors.ts';

export const ALL: APIRoute = () => apiNotFound();
