// The staff accounts' emails (invitation, password reset) as the outbox worker asks for them.
import type { MessageRenderers, RenderRequest } from '#/server/mail/renderers.ts';
import { STAFF_MESSAGE_KINDS, parseStaffMessage, renderStaffEmail, type StaffMessageKind } from './emails.ts';

const emailRenderer =
  (kind: StaffMessageKind) =>
  ({ message, locale, origin }: RenderRequest) =>
    renderStaffEmail({ message: parseStaffMessage(kind, message.payload), locale, origin });

export const staffRenderers: MessageRenderers = {
  email: Object.fromEntries(STAFF_MESSAGE_KINDS.map((kind) => [kind, emailRenderer(kind)])),
  sms: {},
};
