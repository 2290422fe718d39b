// How an SMS text travels and what it costs: GSM 03.38 7-bit when every character is in its
// alphabet (160 characters in one segment, 153 in each part of a concatenated message, an extension
// character such as € or [ counting 2), otherwise UCS-2 (70, or 67 per part; a character outside the
// Basic Multilingual Plane counting 2). Pure: the templates' tests, the outbox and the SMPP
// transport all count with it.

export type SmsEncoding = 'gsm7' | 'ucs2';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

const LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

/** GSM-7 when every character has a GSM code (basic or extension table), else UCS-2. */
export function detectEncoding(text: string): SmsEncoding {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return 'ucs2';
  return 'gsm7';
}

/** Units a character takes: GSM septets (2 for an extension character) or UTF-16 code units. */
function unitsOf(ch: string, encoding: SmsEncoding): number {
  if (encoding === 'gsm7') return extension.has(ch) ? 2 : 1;
  return ch.length;
}

export function lengthInUnits(text: string, encoding: SmsEncoding = detectEncoding(text)): number {
  let units = 0;
  for (const ch of text) units += unitsOf(ch, encoding);
  return units;
}

/**
 * The parts a text is sent in: the whole text when it fits one segment, otherwise pieces of at most
 * 153 septets / 67 code units, never splitting an extension character's escape or a surrogate pair.
 */
export function splitSegments(text: string, encoding: SmsEncoding = detectEncoding(text)): string[] {
  const limits = LIMITS[encoding];
  if (lengthInUnits(text, encoding) <= limits.single) return [text];
  const parts: string[] = [];
  let current = '';
  let units = 0;
  for (const ch of text) {
    const size = unitsOf(ch, encoding);
    if (units + size > limits.part) {
      parts.push(current);
      current = '';
      units = 0;
    }
    current += ch;
    units += size;
  }
  if (current) parts.push(current);
  return parts;
}

export interface SmsMeasure {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

export function measureSms(text: string): SmsMeasure {
  const encoding = detectEncoding(text);
  return { encoding, units: lengthInUnits(text, encoding), segments: splitSegments(text, encoding).length };
}

/** SMPP data_coding: 0 (the SMS centre's default alphabet, GSM 03.38) or 8 (UCS-2). */
export function dataCodingOf(encoding: SmsEncoding): 0 | 8 {
  return encoding === 'gsm7' ? 0 : 8;
}

const LOOKALIKES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
};

/**
 * Keeps a Latin-script text in the GSM alphabet (one character outside it would send the whole
 * message as UCS-2, at less than half the length per segment): typographic quotes and dashes become
 * plain ones, and an accented letter GSM lacks (á, ó, ê…) loses its accent. Letters GSM has (è, ì, ñ) stay.
 */
export function toGsmText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (basic.has(ch) || extension.has(ch)) out += ch;
    else if (LOOKALIKES[ch] !== undefined) out += LOOKALIKES[ch];
    else {
      const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...bare].every((c) => basic.has(c)) ? bare : ch;
    }
  }
  return out;
}
