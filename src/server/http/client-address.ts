// Who is asking: the client's address as the reverse proxies we trust saw it, and the part of it
// that rate limits count. Behind nginx every connection comes from the proxy, so the client is
// named in X-Forwarded-For; anyone can send that header too, so only the hops our own proxies
// wrote are believed, counted from the right (the nearest proxy writes last).
//
// scripts/serve.ts resolves the address once per request in the node:http layer (it sees the
// socket, which the adapter hides from pages) and keeps it in an AsyncLocalStorage on globalThis:
// serve.ts (bundled into dist/start/) and the server bundle are separate module graphs, as with the front cache.
import { AsyncLocalStorage } from 'node:async_hooks';
import { BlockList, isIP } from 'node:net';

/** TRUSTED_PROXIES: a number of proxy hops in front of the server, or the proxies' addresses. */
export type TrustedProxies = { kind: 'hops'; hops: number } | { kind: 'addresses'; entries: string[]; list: BlockList };

export const NO_PROXY: TrustedProxies = { kind: 'hops', hops: 0 };

const MAX_HOPS = 10;

/**
 * Reads TRUSTED_PROXIES: empty → no proxy; a whole number → that many hops; otherwise addresses
 * or CIDR ranges separated by commas or spaces ("127.0.0.1, 10.0.0.0/8, ::1").
 * Returns the problem as a sentence for parseConfig when the value is not understood.
 */
export function parseTrustedProxies(raw: string | undefined): TrustedProxies | { problem: string } {
  const value = raw?.trim() ?? '';
  if (value === '') return NO_PROXY;
  if (/^[0-9]+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS)
      return {
        problem: `TRUSTED_PROXIES must be a number of proxy hops from 0 to ${MAX_HOPS}, or the proxies' addresses, not "${value}"`,
      };
    return { kind: 'hops', hops };
  }
  const entries = value.split(/[\s,]+/).filter(Boolean);
  const list = new BlockList();
  const wrong: string[] = [];
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(normalizeAddress(address));
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || (prefix !== undefined && (!/^[0-9]+$/.test(prefix) || bits! > maxBits))) {
      wrong.push(entry);
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(normalizeAddress(address), type);
    else list.addSubnet(normalizeAddress(address), bits, type);
  }
  if (wrong.length > 0) {
    return {
      problem: `TRUSTED_PROXIES must be a number of proxy hops or a list of IP addresses or ranges (e.g. "127.0.0.1" or "10.0.0.0/8, ::1"); not understood: ${wrong.map((w) => `"${w}"`).join(', ')}`,
    };
  }
  return { kind: 'addresses', entries, list };
}

/** An address as written in a header or by the socket, without brackets or zone, IPv4-mapped IPv6 as IPv4. */
export function normalizeAddress(raw: string): string {
  let address = raw.trim();
  if (address.startsWith('[') && address.includes(']')) address = address.slice(1, address.indexOf(']'));
  address = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) === 6) {
    const groups = ipv6Groups(address);
    if (groups && groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
      return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
    }
  }
  return address;
}

function isTrustedProxy(address: string, trusted: TrustedProxies): boolean {
  if (trusted.kind === 'hops') return false;
  const family = isIP(address);
  return family !== 0 && trusted.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export interface ResolvedClient {
  /** The client's address (normalized). */
  address: string;
  /** True when the connection came from a trusted proxy: its X-Forwarded-Proto may be believed. */
  viaProxy: boolean;
}

/**
 * The client behind the trusted proxies. The chain is X-Forwarded-For's entries then the socket's
 * peer; with a number of hops, the client is that many entries left of the peer's; with a list,
 * it is the first address from the right that is not one of our proxies. What a client wrote
 * itself sits further left and is never reached, whether the proxy overwrote the header or
 * appended to it. An entry that is not an address (a proxy would not write one) is passed over.
 */
export function resolveClientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: TrustedProxies,
): ResolvedClient {
  const peer = normalizeAddress(socketAddress ?? '');
  const viaProxy = trusted.kind === 'hops' ? trusted.hops > 0 : isTrustedProxy(peer, trusted);
  if (!viaProxy) return { address: peer, viaProxy };
  const chain = [
    ...(forwardedFor ?? '')
      .split(',')
      .map(normalizeAddress)
      .filter((a) => isIP(a) !== 0),
    peer,
  ];
  let index = chain.length - 1;
  if (trusted.kind === 'hops') index = Math.max(0, chain.length - 1 - trusted.hops);
  else while (index > 0 && isTrustedProxy(chain[index]!, trusted)) index--;
  return { address: chain[index]!, viaProxy };
}

/** Eight 16-bit groups of an IPv6 address (with "::" and a dotted IPv4 tail), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
}

/**
 * What rate limits count: an IPv4 address as it is, an IPv6 address by its /64 network, since one
 * home or phone gets a whole /64 and could otherwise take a fresh address for every request.
 */
export function rateLimitAddress(raw: string): string {
  const address = normalizeAddress(raw);
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

const SHARED = Symbol.for('qubi.clientAddress');
function requests(): AsyncLocalStorage<string> {
  const g = globalThis as typeof globalThis & { [SHARED]?: AsyncLocalStorage<string> };
  return (g[SHARED] ??= new AsyncLocalStorage<string>());
}

/** Runs a request's handling with its resolved client address (scripts/serve.ts). */
export function withClientAddress<T>(address: string, run: () => T): T {
  return requests().run(address, run);
}

/** The address serve.ts resolved for the current request; undefined under `astro dev`. */
export function currentClientAddress(): string | undefined {
  return requests().getStore();
}
