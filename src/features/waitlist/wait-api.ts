// The JSON API's side of the waiting list (issue #13; docs/api.md): joining an event's list with the
// same body as a sign-up answers 201 with the pending entry and where its code went; …/{reference}/confirm
// with the code puts it in line, as a sign-up's confirm does (its own lookup limit: WAIT_CONFIRM_SCOPE). The status link goes to the contact only.
import type { APIContext } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { parseReference } from '#/lib/reference-code.ts';
import { responseLocale, translateFields } from '#/features/booking/booking-request.ts';
import { codeRefusedResponse, readCodeConfirm } from '#/features/verification/code-api.ts';
import { codeSentToJson } from '#/features/verification/code-step-view.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { parsePartyJson } from '#/features/events/party.ts';
import { joinEventWaitlist } from './join-event.ts';
import { eventWaitlistPath } from './wait-paths.ts';
import { confirmWaitEntry, findWaitHold, waitHoldLapsed, type WaitHoldView } from './wait-holds.ts';
import { positionOf } from './wait-status.ts';
import { WAIT_CONFIRM_SCOPE } from './wait-limits.ts';

const SUBMISSION_KEY = /^[\x21-\x7E]{1,64}$/;

/** The waiting-list option a 409 "full" names (registration-api.ts). */
export function waitingListOption(slug: string, locale: Locale) {
  return {
    join: `/api/v1/events/${encodeURIComponent(slug)}/waiting-list`,
    page: eventWaitlistPath(locale, slug),
  };
}

/** An entry as the API shows it: pending with its code's destination, or waiting with its position. */
async function entryJson(db: Awaited<ReturnType<typeof getDb>>, w: WaitHoldView, slug: string, now = new Date()) {
  const lapsed = waitHoldLapsed(w, now);
  const status = lapsed ? 'lapsed' : w.status;
  const pending = status === 'pending';
  return {
    reference: w.reference,
    event: slug,
    seats: w.seats,
    status,
    position: status === 'waiting' || status === 'offered' ? await positionOf(db, w.id) : null,
    hold_expires_at: pending && w.expiresAt ? w.expiresAt.toISOString() : null,
    code_sent_to: codeSentToJson({ ...w, status }),
  };
}

/** POST /api/v1/events/{slug}/waiting-list */
export async function postWaitingList(context: APIContext): Promise<Response> {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const locale = responseLocale(read.body);
  const t = getTranslator(locale);
  const parsed = parsePartyJson(read.body);
  if (!parsed.ok) return apiError(422, 'invalid', { fields: translateFields(parsed.fields, t) });
  const key = read.body.submissionKey;
  if (key !== undefined && key !== null && (typeof key !== 'string' || !SUBMISSION_KEY.test(key)))
    return apiError(422, 'invalid', { fields: { submissionKey: t('events.register.error.submissionKeyInvalid') } });
  const db = await getDb();
  const event = await getPublicEventBySlug(db, context.params.slug ?? '');
  if (!event) return apiError(404, 'not_found');
  const party = parsed.value;
  const limit = await guardPublicWrite(db, 'event-registration', clientIp(context), [party.phone, party.email]);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  const secret = await getServerSecret(db);
  const outcome = await joinEventWaitlist(db, event.id, party, {
    client: limitKey('hold', clientIp(context), secret),
    submissionKey: typeof key === 'string' ? key : null,
  });
  if (!outcome.ok) {
    const message = t(`waitlist.refused.${outcome.reason}`);
    return apiError(outcome.reason === 'too_many' ? 429 : 409, outcome.reason, { message });
  }
  const w = await findWaitHold(db, outcome.id);
  return json(await entryJson(db, w!, event.slug), { status: outcome.duplicate ? 200 : 201 });
}

/** POST /api/v1/events/{slug}/waiting-list/{reference}/confirm with {"code": "123456"} */
export async function postWaitingListConfirm(context: APIContext): Promise<Response> {
  const read = await readCodeConfirm(context, WAIT_CONFIRM_SCOPE);
  if (!read.ok) return read.response;
  const { db, code } = read;
  const reference = parseReference(context.params.reference ?? '', 'QW');
  const found = reference
    ? await db.selectFrom('wait_entry').select('id').where('reference', '=', reference).executeTakeFirst()
    : undefined;
  const event = await getPublicEventBySlug(db, context.params.slug ?? '');
  const w = found && (await findWaitHold(db, found.id));
  if (!w || !event || w.eventId !== event.id) return apiError(404, 'not_found');
  const outcome = await confirmWaitEntry(db, w.id, code);
  if (!outcome.ok) return codeRefusedResponse(outcome);
  await invalidateLiveData(context, [CACHE_TAGS.events, `event:${event.slug}`]);
  return json(await entryJson(db, (await findWaitHold(db, w.id))!, event.slug));
}
