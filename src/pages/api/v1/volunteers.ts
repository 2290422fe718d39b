import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { signUpVolunteer } from '#/features/volunteers/volunteers.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { responseLocale, translateFields } from '#/features/booking/booking-request.ts';
import { checkVolunteer, volunteerInputFromJson } from '#/features/volunteers/volunteer-form.ts';

/**
 * POST /api/v1/volunteers: a volunteer sign-up, confirmed by the link emailed to the address.
 * The answer is the same for a new address and a known one, so it tells nobody who has signed up.
 * Documented in docs/api.md.
 */
export const POST: APIRoute = async (context) => {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const checked = checkVolunteer(volunteerInputFromJson(read.body));
  if (!checked.ok) {
    const fields = Object.fromEntries(
      Object.entries(checked.fields).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    return apiError(422, 'invalid', { fields: translateFields(fields, getTranslator(responseLocale(read.body))) });
  }
  const db = await getDb();
  // Counted only once the request is well formed: malformed ones cost no write.
  const limit = await guardPublicWrite(db, 'volunteer', clientIp(context), checked.value.email);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  await signUpVolunteer(db, checked.value);
  return json({ status: 'check_email' }, { status: 201 });
};
