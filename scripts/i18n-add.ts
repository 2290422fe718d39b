// Merges translations into src/locales/<lang>.json: `node scripts/i18n-add.ts additions.json`, where
// the file is { "it": { "key": "…" }, "en": { … }, … }. New keys are appended; existing keys are
// replaced. Each locale file is read and written at once, so helpers adding keys do not clobber each other.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const additions = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, Record<string, string>>;
for (const [locale, entries] of Object.entries(additions)) {
  const file = `src/locales/${locale}.json`;
  const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const merged = { ...current, ...entries };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(merged, null, 2) + '\n');
  renameSync(tmp, file);
  console.log(`${file}: ${Object.keys(entries).length} keys merged, ${Object.keys(merged).length} in all`);
}
