import type { APIRoute } from 'astro';
import { postRegistrationConfirm } from '#/features/events/registration-api.ts';

/** POST /api/v1/events/{slug}/registrations/{reference}/confirm with {"code": "123456"}. docs/api.md. */
export const POST: APIRoute = (context) => postRegistrationConfirm(context);
