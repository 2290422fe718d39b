import { describe, expect, it } from 'vitest';
import {
  NO_PROXY,
  parseTrustedProxies,
  rateLimitAddress,
  resolveClientAddress,
  type TrustedProxies,
} from './client-address.ts';

function trusted(raw: string): TrustedProxies {
  const parsed = parseTrustedProxies(raw);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

describe('TRUSTED_PROXIES', () => {
  it('means no proxy when unset or 0, a number of hops, or a list of addresses and ranges', () => {
    expect(parseTrustedProxies(undefined)).toEqual(NO_PROXY);
    expect(parseTrustedProxies(' ')).toEqual(NO_PROXY);
    expect(parseTrustedProxies('2')).toEqual({ kind: 'hops', hops: 2 });
    const list = trusted('127.0.0.1, 10.0.0.0/8 ::1');
    expect(list.kind).toBe('addresses');
  });

  it('names what it does not understand', () => {
    expect(parseTrustedProxies('11')).toEqual({ problem: expect.stringContaining('from 0 to 10') });
    const wrong = parseTrustedProxies('127.0.0.1, nginx, 10.0.0.0/33');
    expect(wrong).toEqual({ problem: expect.stringContaining('"nginx", "10.0.0.0/33"') });
  });
});

describe('the client address behind trusted proxies', () => {
  it('ignores X-Forwarded-For without a trusted proxy: anyone can send it', () => {
    expect(resolveClientAddress('203.0.113.9', '1.2.3.4', NO_PROXY)).toEqual({
      address: '203.0.113.9',
      viaProxy: false,
    });
  });

  it('counts hops from the right, whether the proxy overwrote the header or appended to a forged one', () => {
    const one = trusted('1');
    // nginx with X-Forwarded-For $remote_addr (the documented config): the header is the client.
    expect(resolveClientAddress('127.0.0.1', '198.51.100.7', one)).toEqual({ address: '198.51.100.7', viaProxy: true });
    // nginx with $proxy_add_x_forwarded_for: the client's own "1.2.3.4" is left of the real address.
    expect(resolveClientAddress('127.0.0.1', '1.2.3.4, 198.51.100.7', one).address).toBe('198.51.100.7');
    // Two proxies (a load balancer, then nginx): two hops.
    expect(resolveClientAddress('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.1', trusted('2')).address).toBe(
      '198.51.100.7',
    );
    // Fewer entries than hops: the furthest one known.
    expect(resolveClientAddress('127.0.0.1', undefined, one).address).toBe('127.0.0.1');
    expect(resolveClientAddress('10.0.0.2', '198.51.100.7', trusted('3')).address).toBe('198.51.100.7');
  });

  it('with a list, takes the first address from the right that is not a proxy', () => {
    const ours = trusted('127.0.0.1, 10.0.0.0/8');
    expect(resolveClientAddress('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.1.2.3', ours)).toEqual({
      address: '198.51.100.7',
      viaProxy: true,
    });
    // A client reaching the server directly is not a proxy: its header is not read.
    expect(resolveClientAddress('198.51.100.8', '1.2.3.4', ours)).toEqual({ address: '198.51.100.8', viaProxy: false });
    // Only proxies in the chain: the furthest one.
    expect(resolveClientAddress('127.0.0.1', '10.0.0.1', ours).address).toBe('10.0.0.1');
  });

  it('passes over entries that are not addresses and reads IPv4-mapped peers as IPv4', () => {
    const ours = trusted('127.0.0.1');
    expect(resolveClientAddress('::ffff:127.0.0.1', 'garbage, 198.51.100.7', ours)).toEqual({
      address: '198.51.100.7',
      viaProxy: true,
    });
    expect(resolveClientAddress('127.0.0.1', 'unknown', ours).address).toBe('127.0.0.1');
    expect(resolveClientAddress('127.0.0.1', '[2001:db8::1]', ours).address).toBe('2001:db8::1');
  });
});

describe('what rate limits count', () => {
  it('counts an IPv4 address as it is, IPv4-mapped IPv6 included', () => {
    expect(rateLimitAddress('198.51.100.7')).toBe('198.51.100.7');
    expect(rateLimitAddress('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(rateLimitAddress('::ffff:c633:6407')).toBe('198.51.100.7');
  });

  it('counts IPv6 clients by their /64, however the address is written', () => {
    const a = rateLimitAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:0db8:0001:0002::1')).toBe(a);
    expect(rateLimitAddress('2001:db8:1:2::ffff:1.2.3.4')).toBe(a);
    expect(rateLimitAddress('2001:db8:1:3::1')).not.toBe(a);
    expect(rateLimitAddress('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
