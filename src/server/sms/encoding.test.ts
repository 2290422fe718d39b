import { describe, expect, it } from 'vitest';
import { dataCodingOf, detectEncoding, measureSms, splitSegments, toGsmText } from './encoding.ts';

describe('SMS encoding', () => {
  it('keeps Italian, English and Spanish text with accents of the GSM alphabet in GSM-7', () => {
    expect(detectEncoding('Prenotazione confermata: lunedì alle 9:30, città')).toBe('gsm7');
    expect(detectEncoding('Cita confirmada. ¿Dudas? Llame al 351 681 8198')).toBe('gsm7');
    expect(dataCodingOf('gsm7')).toBe(0);
  });

  it('sends Arabic, Chinese and characters outside GSM (á, ’, emoji) as UCS-2', () => {
    expect(detectEncoding('تم تأكيد موعدك')).toBe('ucs2');
    expect(detectEncoding('您的预约已确认')).toBe('ucs2');
    expect(detectEncoding('está')).toBe('ucs2');
    expect(detectEncoding('it’s')).toBe('ucs2');
    expect(dataCodingOf('ucs2')).toBe(8);
  });

  it('counts 160 GSM characters as one segment and 161 as two parts of 153', () => {
    expect(measureSms('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(measureSms('a'.repeat(161))).toEqual({ encoding: 'gsm7', units: 161, segments: 2 });
    expect(measureSms('a'.repeat(306)).segments).toBe(2);
    expect(measureSms('a'.repeat(307)).segments).toBe(3);
  });

  it('counts an extension character (€ [ ] { } ^ ~ | \\) as two septets and never splits it', () => {
    expect(measureSms('€'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(measureSms('€'.repeat(81)).segments).toBe(2);
    const parts = splitSegments(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    expect(parts).toEqual(['a'.repeat(152), `€${'b'.repeat(10)}`]);
  });

  it('counts 70 UCS-2 characters as one segment, 71 as two parts of 67', () => {
    expect(measureSms('م'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(measureSms('م'.repeat(71)).segments).toBe(2);
    expect(measureSms('预'.repeat(134)).segments).toBe(2);
    expect(measureSms('预'.repeat(135)).segments).toBe(3);
  });

  it('never splits a surrogate pair between two parts', () => {
    const parts = splitSegments(`${'م'.repeat(66)}😀x${'م'.repeat(10)}`);
    expect(parts[0]).toBe('م'.repeat(66));
    expect(parts[1]?.startsWith('😀')).toBe(true);
  });
});

describe('toGsmText', () => {
  it('keeps the GSM letters and drops only the accents GSM lacks, so Spanish and Italian stay GSM-7', () => {
    expect(toGsmText('código, sesión, lunedì, mañana, città')).toBe('codigo, sesion, lunedì, mañana, città');
    expect(toGsmText('l’ufficio – “QuBì”\u00a010:30')).toBe('l\'ufficio - "QuBì" 10:30');
    expect(detectEncoding(toGsmText('Atención: está en Vía Pólveri'))).toBe('gsm7');
  });

  it('leaves a text in another script as it is (it then goes as UCS-2)', () => {
    expect(toGsmText('取消')).toBe('取消');
  });
});
