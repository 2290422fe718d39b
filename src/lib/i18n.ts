// One i18next instance for the whole site; flat dotted keys in src/locales/<lang>.json.
import i18next, { type TFunction } from 'i18next';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locales.ts';
import it from '#/locales/it.json' with { type: 'json' };
import en from '#/locales/en.json' with { type: 'json' };
import ar from '#/locales/ar.json' with { type: 'json' };
import es from '#/locales/es.json' with { type: 'json' };
import zh from '#/locales/zh.json' with { type: 'json' };

export const messages: Record<Locale, Record<string, string>> = { it, en, ar, es, zh };

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: messages[l] }])),
  keySeparator: false,
  nsSeparator: false,
  // Astro escapes what it renders; escaping here too would double-escape.
  interpolation: { escapeValue: false },
  returnNull: false,
});

export type Translate = TFunction;

export function getTranslator(locale: Locale): Translate {
  return instance.getFixedT(locale);
}
