import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSmsSender } from './file-sender.ts';

const message = (outboxId: number) => ({
  outboxId,
  kind: 'verification_code',
  to: '+393331234567',
  text: 'QuBì: il tuo codice è 123456',
  encoding: 'gsm7' as const,
  parts: ['QuBì: il tuo codice è 123456'],
});

describe('SMS as text files', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes each message whole, and again after its folder was removed while the server ran', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'qubi-sms-'));
    const dir = path.join(root, 'sms');
    const sender = createFileSmsSender(dir, { log: () => {} });
    await sender.send(message(1));
    await rm(dir, { recursive: true });
    await sender.send(message(2));
    expect(await readdir(dir)).toEqual(['2-verification_code.txt']);
    const body = await readFile(path.join(dir, '2-verification_code.txt'), 'utf8');
    expect(body).toBe('To: +393331234567\nEncoding: GSM-7\nSegments: 1\n\nQuBì: il tuo codice è 123456\n');
  });
});
