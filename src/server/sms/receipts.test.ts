import { describe, expect, it } from 'vitest';
import { parseReceipt } from './receipts.ts';

describe('parseReceipt', () => {
  it('reads the message id and final state from the receipt text (SMPP 3.4 appendix B)', () => {
    const text =
      'id:7f3a9 sub:001 dlvrd:001 submit date:2612051200 done date:2612051201 stat:DELIVRD err:000 text:QuBi';
    expect(parseReceipt(text)).toEqual({ providerMessageId: '7f3a9', state: 'DELIVRD', delivered: true });
    expect(parseReceipt('id:42 sub:001 dlvrd:000 stat:UNDELIV err:001')).toEqual({
      providerMessageId: '42',
      state: 'UNDELIV',
      delivered: false,
    });
  });

  it('prefers the receipted_message_id and message_state TLVs when the centre sends them', () => {
    expect(parseReceipt('', { receiptedMessageId: 'abc', messageState: 2 })).toEqual({
      providerMessageId: 'abc',
      state: 'DELIVRD',
      delivered: true,
    });
    expect(parseReceipt('id:zzz stat:DELIVRD', { messageState: 5 })?.state).toBe('UNDELIV');
  });

  it('is undefined when nothing names a message', () => {
    expect(parseReceipt('grazie')).toBeUndefined();
  });
});
