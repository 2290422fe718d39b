// Comparing a presented secret (token, code, signature) with the expected one in constant time, so
// the time an answer takes says nothing about how much of a guess was right.
import { timingSafeEqual } from 'node:crypto';

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
