// Days the desks are closed everywhere: Italian public holidays (Easter Monday computed) and
// 7 December, Sant'Ambrogio, Milan's patron saint. Dates are Rome calendar days "YYYY-MM-DD".

const pad = (n: number) => String(n).padStart(2, '0');
export const dayKey = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** Easter Sunday (Gregorian), by the anonymous algorithm of Meeus/Jones/Butcher. */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

const FIXED: [number, number][] = [
  [1, 1], // Capodanno
  [1, 6], // Epifania
  [4, 25], // Liberazione
  [5, 1], // Festa del lavoro
  [6, 2], // Festa della Repubblica
  [8, 15], // Ferragosto
  [10, 4], // San Francesco d'Assisi, national holiday again from 2026 (Law 151/2025)
  [11, 1], // Ognissanti
  [12, 7], // Sant'Ambrogio, patron of Milan
  [12, 8], // Immacolata
  [12, 25], // Natale
  [12, 26], // Santo Stefano
];

const cache = new Map<number, Set<string>>();

export function holidaysOf(year: number): Set<string> {
  let set = cache.get(year);
  if (!set) {
    set = new Set(FIXED.filter(([m, d]) => !(m === 10 && d === 4 && year < 2026)).map(([m, d]) => dayKey(year, m, d)));
    const easter = easterSunday(year);
    const monday = new Date(Date.UTC(year, easter.month - 1, easter.day + 1));
    set.add(dayKey(year, monday.getUTCMonth() + 1, monday.getUTCDate()));
    cache.set(year, set);
  }
  return set;
}

export function isHoliday(key: string): boolean {
  return holidaysOf(Number(key.slice(0, 4))).has(key);
}
