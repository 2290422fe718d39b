/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    locale: import('#/lib/locales.ts').Locale;
    t: import('#/lib/i18n.ts').Translate;
    dir: 'ltr' | 'rtl';
    /** The signed-in staff member, when a valid session cookie came with the request. */
    staff: import('#/features/staff-accounts/guard.ts').StaffContext | null;
    /** A POST to this page named no action (src/server/actions/bare-post.ts): the layouts say nothing was sent. */
    formNotSent?: boolean;
  }
}
