// The "send the code again" hint says the wait CODE_RESEND_SECONDS sets, in each language.
import { describe, expect, it } from 'vitest';
import { getTranslator, messages } from '#/lib/i18n.ts';
import { LOCALES } from '#/lib/locales.ts';
import { resendHint } from './code-step-view.ts';

describe('the hint under "send the code again"', () => {
  it('says one minute by default, in Italian and in Arabic', () => {
    expect(resendHint(getTranslator('it'), 'it', 60)).toBe(
      'Puoi chiedere un nuovo codice dopo 1 minuto, al massimo 2 volte.',
    );
    expect(resendHint(getTranslator('ar'), 'ar', 60)).toBe(
      'يمكنك طلب رمز جديد مرتين على الأكثر، على أن تمر دقيقة بين كل طلب وآخر.',
    );
  });

  it('says whole minutes as minutes and the rest as seconds, with the language’s plural', () => {
    expect(resendHint(getTranslator('en'), 'en', 120)).toBe(
      'You can ask for a new code after 2 minutes, up to 2 times.',
    );
    expect(resendHint(getTranslator('en'), 'en', 90)).toBe(
      'You can ask for a new code after 90 seconds, up to 2 times.',
    );
    expect(resendHint(getTranslator('uk'), 'uk', 300)).toContain('має минути 5 хвилин');
    expect(resendHint(getTranslator('zh'), 'zh', 30)).toBe('您可以在30秒钟后申请新的验证码，最多 2 次。');
  });

  it('names no wait when there is none', () => {
    for (const locale of LOCALES) {
      const hint = resendHint(getTranslator(locale), locale, 0);
      expect(hint).toBe(messages[locale]['booking.code.resendHintNow']);
      expect(hint).not.toMatch(/\{\{|\b0\b/);
    }
  });

  it('fills the wait in every language, in Latin digits', () => {
    for (const locale of LOCALES) {
      const hint = resendHint(getTranslator(locale), locale, 180);
      expect(hint, locale).not.toContain('{{');
      expect(hint, locale).toMatch(/3/);
    }
  });
});
