// The volunteer sign-up's emails as the outbox worker asks for them; withdrawn when the person
// withdrew (or was deleted unconfirmed) meanwhile, or when a confirmation link is spent or replaced.
import { hashToken } from '#/features/booking/reference.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import {
  VOLUNTEER_MESSAGE_KINDS,
  parseVolunteerMessage,
  renderVolunteerEmail,
  type VolunteerMessageKind,
} from './emails.ts';

function emailRenderer(kind: VolunteerMessageKind) {
  return async ({ db, message, locale, origin }: RenderRequest) => {
    const parsed = parseVolunteerMessage(kind, message.payload);
    if (message.volunteerId === null) return renderVolunteerEmail({ message: parsed, locale, origin });
    const volunteer = await db
      .selectFrom('volunteer')
      .select(['status', 'name', 'confirm_token_hash'])
      .where('id', '=', message.volunteerId)
      .executeTakeFirst();
    if (!volunteer) return WITHDRAWN;
    if (
      parsed.kind === 'volunteer_confirm_address' &&
      (volunteer.status !== 'unconfirmed' || volunteer.confirm_token_hash !== hashToken(parsed.confirmToken))
    )
      return WITHDRAWN;
    // The coordinators' notice never carries the volunteer's name.
    return renderVolunteerEmail({
      message: parsed,
      locale,
      origin,
      ...(parsed.kind === 'volunteer_coordinator_notice' ? {} : { name: volunteer.name }),
    });
  };
}

export const volunteerRenderers: MessageRenderers = {
  email: Object.fromEntries(VOLUNTEER_MESSAGE_KINDS.map((kind) => [kind, emailRenderer(kind)])),
  sms: {},
};
