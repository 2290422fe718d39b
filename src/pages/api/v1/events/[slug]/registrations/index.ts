import type { APIRoute } from 'astro';
import { postRegistration } from '#/features/events/registration-api.ts';

/** POST /api/v1/events/{slug}/registrations: a family's party holds its seats until its code confirms them. docs/api.md. */
export const POST: APIRoute = (context) => postRegistration(context);
