/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    locale: import('./lib/locales.ts').Locale;
    t: import('./lib/i18n.ts').Translate;
    dir: 'ltr' | 'rtl';
  }
}
