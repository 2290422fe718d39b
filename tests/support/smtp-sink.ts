// A real SMTP server in the test process that keeps every raw message it receives; it can also
// refuse every recipient (550), as a mailbox that does not exist.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Sink {
  port: number;
  received: string[];
  close(): Promise<void>;
}

export async function startSink(port = 0, options: { rejectRecipients?: boolean } = {}): Promise<Sink> {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients)
        return callback(Object.assign(new Error(`Mailbox ${address.address} does not exist`), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.server.address() as AddressInfo).port;
  return { port: bound, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
