import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { openApiDocument } from '#/features/open-data/openapi.ts';
import { conditionalJson } from '#/server/http/conditional-get.ts';

// Built once per process: it depends only on the code and the public address.
let document: unknown;

/** GET /api/v1/openapi.json: the OpenAPI 3.1 description of the API, from its zod schemas. */
export const GET: APIRoute = (context) =>
  conditionalJson(context.request, (document ??= openApiDocument(publicOrigin())));
