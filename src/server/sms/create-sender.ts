import path from 'node:path';
import type { AppConfig } from '#/server/config.ts';
import { createFileSmsSender } from './file-sender.ts';
import { createSmppSender } from './smpp-sender.ts';
import type { SmsSender } from './sender.ts';

/** The SMS transport the configuration asks for: SMPP with SMS_URL, text files under DATA_DIR/sms otherwise. */
export function createSmsSender(
  config: Pick<AppConfig, 'smsUrl' | 'smsFrom' | 'smsTps' | 'dataDir'>,
  log?: (line: string) => void,
): SmsSender {
  return config.smsUrl
    ? createSmppSender({ url: config.smsUrl, from: config.smsFrom, tps: config.smsTps, ...(log ? { log } : {}) })
    : createFileSmsSender(path.join(config.dataDir, 'sms'), log ? { log } : {});
}

/** For the start-up line: where SMS go, without the credentials. */
export function describeSmsTransport(config: Pick<AppConfig, 'smsUrl' | 'dataDir'>): string {
  if (!config.smsUrl) return `text files in ${path.join(config.dataDir, 'sms')}`;
  const url = new URL(config.smsUrl);
  return `${url.protocol.replace(':', '').toUpperCase()} ${url.hostname}:${url.port || '2775'}`;
}
