// Reading the raw messages an in-process SMTP server received: enough MIME to find the parts,
// decode them and know which outbox row each message came from.

export interface MimePart {
  headers: Record<string, string>;
  body: string;
  parts: MimePart[];
}

export function parseMime(raw: string): MimePart {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (boundary && /^multipart\//i.test(headers['content-type'] ?? '')) {
    const sections = body.split(`--${boundary}`).slice(1, -1);
    return { headers, body: '', parts: sections.map((s) => parseMime(s.replace(/^\r?\n/, ''))) };
  }
  return { headers, body: decodeBody(body, headers['content-transfer-encoding'] ?? '7bit'), parts: [] };
}

function decodeBody(body: string, encoding: string): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

/** Decodes RFC 2047 encoded words ("=?UTF-8?Q?…?="), as in the Subject header. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, mode: string, text: string) =>
      mode.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeURIComponent(
            text
              .replace(/_/g, ' ')
              .replace(/%/g, '%25')
              .replace(/=([0-9A-F]{2})/gi, '%$1'),
          ),
    );
}

export function leaves(part: MimePart): MimePart[] {
  return part.parts.length ? part.parts.flatMap(leaves) : [part];
}

export function findPart(mail: MimePart, type: string): MimePart | undefined {
  return leaves(mail).find((p) => (p.headers['content-type'] ?? '').toLowerCase().startsWith(type));
}

/** Outbox id of a received message, from its stable Message-ID. */
export function outboxIdOf(raw: string): number {
  const id = /^Message-ID:\s*<outbox-(\d+)@qubi\.test>/im.exec(raw)?.[1];
  if (!id) throw new Error('message without an outbox Message-ID');
  return Number(id);
}
