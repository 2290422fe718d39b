// One i18next instance for the whole site; flat dotted keys in src/locales/<lang>.json.
import i18next, { type TFunction } from 'i18next';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locales.ts';

// Each language's file is found from LOCALES, with no import written per language. The template is
// one Vite bundles (every src/locales/*.json becomes a chunk of the build) and plain Node (the
// worker, the scripts) resolves as it stands; awaited here, so the strings are ready on import.
const files = await Promise.all(
  LOCALES.map(
    (l) => import(`../locales/${l}.json`, { with: { type: 'json' } }) as Promise<{ default: Record<string, string> }>,
  ),
);
export const messages = Object.fromEntries(LOCALES.map((l, i) => [l, files[i]!.default])) as Record<
  Locale,
  Record<string, string>
>;

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
