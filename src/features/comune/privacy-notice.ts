// The privacy notice per GDPR art. 13 (issue #14): its sections in order, each paragraph a locale
// key with the values it shows. The retention periods are the configuration's (the same numbers
// the hourly erasure jobs use), the DPO's address the environment's. Pure but for getConfig.
import { getConfig } from '#/server/config.ts';
import { dpoEmail } from './comune.ts';

/** Days an unconfirmed volunteer sign-up is kept (features/volunteers/volunteers.ts CONFIRM_DAYS). */
const UNCONFIRMED_VOLUNTEER_DAYS = 7;

export interface NoticeSection {
  id: string;
  title: string;
  paragraphs: { key: string; values?: Record<string, string | number> }[];
  items?: { key: string; values?: Record<string, string | number> }[];
  /** A link under the text: mailto or the Garante's site. */
  link?: { href: string; key: string; values?: Record<string, string> };
}

export function privacyNotice(): NoticeSection[] {
  const config = getConfig();
  const dpo = dpoEmail();
  return [
    {
      id: 'controller',
      title: 'privacy.controller.title',
      paragraphs: [{ key: 'privacy.controller.p1' }, { key: 'comune.privacy.controller.address' }],
    },
    {
      id: 'dpo',
      title: 'comune.privacy.dpo.title',
      paragraphs: [{ key: 'comune.privacy.dpo.p1' }],
      link: { href: `mailto:${dpo}`, key: 'comune.privacy.dpo.link', values: { email: dpo } },
    },
    {
      id: 'what',
      title: 'privacy.what.title',
      paragraphs: [{ key: 'privacy.what.p1' }],
      items: [
        { key: 'privacy.what.li1' },
        { key: 'privacy.what.li2' },
        { key: 'privacy.what.li3' },
        { key: 'privacy.what.li4' },
      ],
    },
    {
      id: 'why',
      title: 'comune.privacy.basis.title',
      paragraphs: [{ key: 'privacy.why.p1' }, { key: 'comune.privacy.basis.p1' }, { key: 'comune.privacy.basis.p2' }],
    },
    {
      id: 'recipients',
      title: 'comune.privacy.recipients.title',
      paragraphs: [{ key: 'comune.privacy.recipients.p1' }],
    },
    {
      id: 'howLong',
      title: 'privacy.howLong.title',
      paragraphs: [{ key: 'privacy.howLong.p1' }],
      items: [
        { key: 'comune.privacy.howLong.bookings', values: { count: config.bookingRetentionDays } },
        { key: 'comune.privacy.howLong.pledges', values: { count: config.pledgeRetentionDays } },
        { key: 'comune.privacy.howLong.volunteers', values: { count: UNCONFIRMED_VOLUNTEER_DAYS } },
        { key: 'comune.privacy.howLong.ratings' },
        { key: 'comune.privacy.howLong.limits' },
      ],
    },
    { id: 'noTracking', title: 'privacy.noTracking.title', paragraphs: [{ key: 'privacy.noTracking.p1' }] },
    { id: 'rights', title: 'privacy.rights.title', paragraphs: [{ key: 'comune.privacy.rights.p1' }] },
    {
      id: 'complaint',
      title: 'comune.privacy.complaint.title',
      paragraphs: [{ key: 'comune.privacy.complaint.p1' }],
      link: { href: 'https://www.garanteprivacy.it/', key: 'comune.privacy.complaint.link' },
    },
  ];
}
