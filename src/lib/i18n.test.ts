// Every key the code uses exists in every locale, in every plural form the language needs,
// with the same placeholders as the Italian text, and the translations are not Italian copies.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES, LOCALE_TAGS } from './locales.ts';
import { getTranslator, messages } from './i18n.ts';
import { contentPageKeys } from '#/features/content/content-pages.ts';
import { DESK_SERVICES, serviceKey } from '#/features/desks/services.ts';

const SRC = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(astro|ts|tsx)$/.test(name) && !name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Literal keys passed to t(…) anywhere in src, plus the keys built from data. */
function usedKeys(): Set<string> {
  const keys = new Set<string>([...contentPageKeys(), ...DESK_SERVICES.map(serviceKey)]);
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*(['"`])([a-zA-Z0-9_.-]+)\1/g)) keys.add(m[2]!);
  }
  return keys;
}

const STAFF_LANGUAGES: string[] = ['it', 'en'];
/** Keys of the staff area only: the agenda's day tools and the figures dashboard among them. */
const STAFF_ONLY = /^(staff|auth|staffDay|figures)\./;

const placeholders = (value: string) =>
  [...new Set([...value.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]))].sort();

describe('locale files', () => {
  const keys = usedKeys();

  it('the code uses a meaningful set of keys', () => {
    expect(keys.size).toBeGreaterThan(100);
    expect(keys.has('nav.skip')).toBe(true);
  });

  for (const locale of LOCALES) {
    it(`${locale} has every key the code uses, in each plural form`, () => {
      const dict = messages[locale];
      const categories = new Intl.PluralRules(LOCALE_TAGS[locale]).resolvedOptions().pluralCategories;
      const missing: string[] = [];
      for (const key of keys) {
        // The staff area is in Italian and English (families never see it); other languages fall back.
        if (!STAFF_LANGUAGES.includes(locale) && STAFF_ONLY.test(key)) continue;
        const isPlural = `${key}_other` in messages.it;
        if (!isPlural) {
          if (!dict[key]?.trim()) missing.push(key);
          continue;
        }
        for (const category of categories) if (!dict[`${key}_${category}`]?.trim()) missing.push(`${key}_${category}`);
      }
      expect(missing).toEqual([]);
    });

    it(`${locale} keeps the placeholders of the Italian texts and has no stray keys`, () => {
      const dict = messages[locale];
      const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
      const stray = Object.keys(dict).filter((k) => !(k in messages.it) && !(`${base(k)}_other` in messages.it));
      expect(stray).toEqual([]);
      // A plural form may leave out a value ("1 sportello") and may use any value the key's other
      // form has: the code passes them all, and Bengali's "one" also covers 0 (so it needs {{count}}).
      const mismatched = Object.entries(dict)
        .filter(([k, v]) => {
          const it = messages.it[k] ?? messages.it[`${base(k)}_other`];
          const other = messages.it[`${base(k)}_other`] ?? it;
          return (
            it !== undefined &&
            placeholders(v).join() !== placeholders(it).join() &&
            !(base(k) !== k && placeholders(v).every((p) => placeholders(other!).includes(p!)))
          );
        })
        .map(([k]) => k);
      expect(mismatched).toEqual([]);
    });

    // "One" is not always 1: in Ukrainian it also covers 21, 31…, in Tagalog 2, 3, 5…, in Bengali 0.
    // There, a "one" form that drops the number would say "a desk" for 21 desks.
    const oneCoversOthers = Array.from({ length: 200 }, (_, n) => n).some(
      (n) => n !== 1 && new Intl.PluralRules(LOCALE_TAGS[locale]).select(n) === 'one',
    );
    if (oneCoversOthers)
      it(`${locale}'s "one" forms say the number, since "one" there covers more than 1`, () => {
        const silent = Object.entries(messages[locale])
          .filter(([k, v]) => k.endsWith('_one') && !v.includes('{{count'))
          .filter(([k]) => (messages[locale][k.replace(/_one$/, '_other')] ?? '').includes('{{count'))
          .map(([k]) => k);
        expect(silent).toEqual([]);
      });
  }

  for (const locale of LOCALES.filter((l) => l !== 'it')) {
    it(`${locale} is translated, not a copy of Italian`, () => {
      const same = Object.keys(messages.it).filter(
        (k) => messages[locale][k] === messages.it[k] && messages.it[k]!.length > 12,
      );
      expect(same.length / Object.keys(messages.it).length).toBeLessThan(0.05);
    });
  }

  // Read by native speakers (issue #14): one register, one script, one name for one thing.
  it('addresses Chinese readers formally (您) everywhere, never with 你', () => {
    expect(Object.entries(messages.zh).filter(([, v]) => v.includes('你'))).toEqual([]);
  });

  it('writes Arabic without a Latin comma and names a municipio in Arabic (the Italian word only in brackets)', () => {
    const ar = Object.entries(messages.ar);
    expect(ar.filter(([, v]) => /[\u0600-\u06ff], /.test(v))).toEqual([]);
    expect(ar.filter(([, v]) => /(?<!\()Municip/.test(v))).toEqual([]);
    expect(ar.filter(([, v]) => v.includes('سياسة الخصوصية'))).toEqual([]);
  });

  it('keeps ".ics" reading left to right inside Arabic text', () => {
    const withIcs = Object.values(messages.ar).filter((v) => v.includes('.ics'));
    expect(withIcs.length).toBeGreaterThan(0);
    for (const v of withIcs) expect(v).toContain('\u2066.ics\u2069');
  });

  it('addresses Bengali readers formally (আপনি) everywhere and names a municipio in Bengali (the Italian word only in brackets)', () => {
    const bn = Object.entries(messages.bn);
    expect(bn.filter(([, v]) => /তুমি|তোমা|তুই|তোর\b|তোদের/.test(v))).toEqual([]);
    expect(bn.filter(([, v]) => /(?<!\()Municip/.test(v))).toEqual([]);
    expect(bn.filter(([, v]) => /\p{Script=Bengali}/u.test(v)).length / bn.length).toBeGreaterThan(0.95);
  });

  it('writes Spanish for readers from Latin America too, in one register', () => {
    const es = Object.entries(messages.es);
    expect(
      es.filter(([, v]) => /móvil|deberes|podéis|Ayuntamiento|rellen|\b(vuelva|pulse|quería|usted)\b/i.test(v)),
    ).toEqual([]);
    // "a las 10:00–13:00" reads wrong: a range is never introduced by "a las".
    expect(messages.es['email.when']).not.toContain('a las');
  });

  it('pluralises with the language’s own rules', () => {
    expect(getTranslator('it')('desks.results', { count: 1 })).toBe('1 sportello');
    expect(getTranslator('it')('desks.results', { count: 3 })).toBe('3 sportelli');
    expect(getTranslator('ar')('desks.results', { count: 2 })).toBe(
      messages.ar['desks.results_two']!.replace('{{count}}', '2'),
    );
  });
});
